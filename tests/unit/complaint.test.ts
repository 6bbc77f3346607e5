import { describe, expect, it } from 'vitest';
import { complaintInput, fieldErrors, formatTrackingCode, newTrackingCode, normaliseTrackingCode, TRACKING_ALPHABET, TRACKING_LENGTH } from '../../src/domain/complaint.ts';

describe('tracking codes', () => {
  it('draws 13 characters from a 32-letter alphabet without 0, 1, I or O: 65 bits', () => {
    expect(TRACKING_ALPHABET).toHaveLength(32);
    expect(TRACKING_ALPHABET).not.toMatch(/[01IO]/);
    expect(TRACKING_LENGTH * Math.log2(TRACKING_ALPHABET.length)).toBeGreaterThanOrEqual(64);
    const codes = new Set(Array.from({ length: 2000 }, () => newTrackingCode()));
    expect(codes.size).toBe(2000);
    expect(newTrackingCode(() => new Uint8Array(13).fill(33))).toBe('3'.repeat(13));
  });

  it('is shown in groups of four and read back as typed', () => {
    expect(formatTrackingCode('ABCDEFGHJKMNP')).toBe('ABCD-EFGH-JKMN-P');
    expect(normaliseTrackingCode(' abcd-efgh jkmn-p ')).toBe('ABCDEFGHJKMNP');
    expect(normaliseTrackingCode('ABCD-EFGH-JKMN-O')).toBeUndefined();
    expect(normaliseTrackingCode('ABC')).toBeUndefined();
  });
});

describe('complaint intake schema', () => {
  const schema = complaintInput(['gansu-wuwei'], '2026-11-23');
  const base = { pollutionTypes: '水', region: 'gansu-wuwei', address: '某河段', observedAt: '2026-11-23T08:30', description: '河水发黑发臭，有排污口。', anonymous: 'on', consentPublish: 'on' };

  it('reads form values: a single checkbox value, "on" flags, blank optional fields', () => {
    const v = schema.parse({ ...base, suspectedPolluter: '  ', latitude: '', longitude: '' });
    expect(v).toMatchObject({ pollutionTypes: ['水'], anonymous: true, consentPublish: true });
    expect(v.suspectedPolluter).toBeUndefined();
    expect(v.latitude).toBeUndefined();
  });

  it('requires a name and a phone or e-mail for a named complaint, and normalises the phone', () => {
    const named = { ...base, anonymous: undefined };
    expect(fieldErrors(schema.safeParse(named).error!)).toEqual({ name: '实名举报请填写姓名，或选择匿名举报', phone: '实名举报请至少填写电话或电子邮箱之一' });
    expect(schema.parse({ ...named, name: '赵六', phone: '0935-2212345' }).phone).toBe('09352212345');
    expect(fieldErrors(schema.safeParse({ ...named, name: '赵六', phone: '12345' }).error!)).toEqual({ phone: '请填写正确的手机或固定电话号码' });
  });

  it('takes mainland mobile numbers and landlines with an area code, and nothing else', () => {
    const named = { ...base, anonymous: undefined, name: '赵六' };
    const phone = (p: string) => schema.safeParse({ ...named, phone: p });
    for (const ok of ['13912345678', '139 1234 5678', '199-1234-5678', '010-12345678', '0931-1234567', '09312345678']) expect(phone(ok).success, ok).toBe(true);
    for (const bad of ['12912345678', '1391234567', '139123456789', '931-1234567', '0931-12345', '+8613912345678', '１３９１２３４５６７８', '13912345678x']) expect(phone(bad).success, bad).toBe(false);
  });

  it('accepts coordinates only in pairs and in range', () => {
    expect(fieldErrors(schema.safeParse({ ...base, latitude: '37.9' }).error!)).toEqual({ longitude: '经度和纬度需同时填写' });
    expect(fieldErrors(schema.safeParse({ ...base, latitude: '91', longitude: '102.6' }).error!)).toEqual({ latitude: '纬度超出范围' });
    expect(schema.parse({ ...base, latitude: '37.93', longitude: '102.64' })).toMatchObject({ latitude: 37.93, longitude: 102.64 });
  });
});
