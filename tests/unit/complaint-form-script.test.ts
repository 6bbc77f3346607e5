/**
 * The complaint form's script (src/scripts/complaint-form.ts, the browser's entry that validates)
 * configures zod itself: zod's own messages in Chinese, and jitless (no `new Function` probe under
 * the CSP). Imported here without a DOM: a document with no complaint form, where the script does
 * nothing else.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { complaintInput, fieldErrors } from '../../src/domain/complaint.ts';

const CHINESE = /[\u4e00-\u9fff]/;
const schema = complaintInput(['gansu-wuwei'], '2026-11-23');
/** A phone typed as a number: the schema names no message for a wrong type, so zod's own is used. */
const phoneError = () =>
  fieldErrors(
    schema.safeParse({
      pollutionTypes: ['大气'], region: 'gansu-wuwei', address: '凉州区某工业园区东侧', observedAt: '2026-11-20',
      description: '夜间工厂烟囱冒黑烟，气味刺鼻。', anonymous: false, name: '张三', phone: 13912345678, consentPublish: false,
    }).error!,
  );

let englishMessage: string | undefined;

beforeAll(async () => {
  // As a fresh page starts: zod's defaults, in English.
  z.config({ ...z.locales.en(), jitless: false });
  englishMessage = phoneError().phone;
  vi.stubGlobal('document', { querySelector: () => null });
  await import('../../src/scripts/complaint-form.ts');
});
afterAll(() => {
  vi.unstubAllGlobals();
});

describe('the complaint form script', () => {
  it('starts from zod’s English here, so that the checks below can fail', () => {
    expect(englishMessage).toBeDefined();
    expect(englishMessage).not.toMatch(CHINESE);
  });

  it('shows zod’s own messages in Chinese, with the server’s schema', () => {
    expect(phoneError()).toEqual({ phone: expect.stringMatching(CHINESE) });
    expect(phoneError().phone).not.toBe(englishMessage);
  });

  it('keeps zod jitless', () => {
    expect(z.config().jitless).toBe(true);
  });
});
