/**
 * The Worker runtime (functions/runtime/worker.ts) configures zod's Chinese messages itself: it
 * loads no content, so nothing else would. Run here in Node with `cloudflare:workers` mocked: the
 * bindings are a migrated libSQL file, fresh secrets and an ASSETS binding that serves the built
 * reference data (made from content/ as the build makes it). The workerd test runs the real
 * bundle, but without a database, where no request reaches validation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { newKeyBase64 } from '../../functions/crypto.ts';
import { openLocalDatabase } from '../../functions/local.ts';
import type { PortalRuntime } from '../../functions/runtime/types.ts';
import { testReference, validComplaint } from '../support/api.ts';

const bindings = vi.hoisted(() => ({}) as Record<string, unknown>);
vi.mock('cloudflare:workers', () => ({ env: bindings }));

const WRONG_TYPE = validComplaint({ anonymous: false, name: '张三', phone: 13912345678 });
const typeMessage = () => z.string().safeParse(13912345678).error!.issues[0]!.message;
const CHINESE = /[\u4e00-\u9fff]/;

let dir: string;
let runtime: PortalRuntime;
let englishMessage: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portal-worker-runtime-'));
  const url = `file:${join(dir, 'worker.db')}`;
  // The production database is migrated by `npm run db:migrate`, not by the Worker.
  (await openLocalDatabase(url)).$client.close();
  const data: Record<string, unknown> = { 'reference.json': testReference(), 'search-labels.json': {} };
  Object.assign(bindings, {
    DATABASE_URL: url,
    CONTACT_ENCRYPTION_KEY: newKeyBase64(),
    CLIENT_HASH_SALT: 'worker-test-salt',
    ASSETS: {
      fetch: async (input: Request | string) => {
        const name = new URL(typeof input === 'string' ? input : input.url).pathname.replace('/data/', '');
        return name in data ? Response.json(data[name]) : new Response('not found', { status: 404 });
      },
    },
  });
  // As a fresh isolate starts (loading the content above set Chinese in this process): zod's defaults.
  z.config(z.locales.en());
  englishMessage = typeMessage();
  const module = await import('../../functions/runtime/worker.ts');
  runtime = await module.portalRuntime();
});

afterAll(() => {
  runtime?.db?.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Worker runtime', () => {
  it('starts from zod’s English here, so that the checks below can fail', () => {
    expect(englishMessage).not.toMatch(CHINESE);
  });

  it('answers a wrong type in the intake API with zod’s message in Chinese', async () => {
    expect(typeMessage()).toMatch(CHINESE);
    const res = await runtime.app.request(
      '/api/complaints',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(WRONG_TYPE) },
      { peer: '192.0.2.20' },
    );
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(error.fields)).toEqual(['phone']);
    expect(error.fields.phone).toMatch(CHINESE);
    expect(error.fields.phone).not.toBe(englishMessage);
  });
});
