/**
 * Complaint intake: the fields a resident submits, their limits and Chinese
 * messages, and the tracking code. Framework-free: the same schema validates
 * the API request on the server and the form in the browser.
 */
import { z } from 'zod';

export const POLLUTION_TYPES = ['大气', '水', '噪声', '固体废物', '土壤', '辐射', '生态破坏', '其他'] as const;
export type PollutionType = (typeof POLLUTION_TYPES)[number];

/** Limits, in characters, published with the form and the API description. */
export const LIMITS = {
  address: 200,
  description: { min: 10, max: 2000 },
  suspectedPolluter: 100,
  name: 50,
  email: 254,
} as const;

/** Mainland mobile numbers, and landlines with area code (010-12345678, 0931-1234567); spaces and dashes are removed first. */
export const PHONE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?$/;
/** A day that exists (2026-02-30 does not) and, if given, a time of day that does (25:00 does not). */
function isRealDate(value: string): boolean {
  const [y = NaN, m = NaN, d = NaN, hh = 0, mm = 0] = value.split(/[-T :]/).map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d && hh < 24 && mm < 60;
}

const trimmed = (max: number, label: string) =>
  z.string({ error: `请填写${label}` }).trim().max(max, `${label}不能超过 ${max} 个字`);
const optionalText = (max: number, label: string) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), trimmed(max, label).optional());
const optionalNumber = (min: number, max: number, label: string) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : typeof v === 'string' ? Number(v) : v),
    z.number({ error: `${label}应为数字` }).min(min, `${label}超出范围`).max(max, `${label}超出范围`).optional(),
  );
/** Checkbox and JSON booleans alike: true, "true", "on", "1". */
const isYes = (v: unknown) => v === true || v === 'true' || v === 'on' || v === '1';
const flag = z.preprocess(isYes, z.boolean());
const always = () => true;

/**
 * The intake schema. `regions` is the list of region ids a complaint may name
 * (from the content's reference list); `today` (YYYY-MM-DD, China time) bounds
 * the observation date.
 */
export function complaintInput(regions: readonly string[], today: string) {
  return z
    .object({
      pollutionTypes: z.preprocess(
        (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
        z.array(z.enum(POLLUTION_TYPES, { error: '污染类型不在可选范围内' })).min(1, '请至少选择一种污染类型').max(POLLUTION_TYPES.length),
      ),
      region: z.string({ error: '请选择地区' }).refine((r) => regions.includes(r), '请选择地区'),
      address: trimmed(LIMITS.address, '地址').min(2, '请填写污染发生的地址'),
      latitude: optionalNumber(-90, 90, '纬度'),
      longitude: optionalNumber(-180, 180, '经度'),
      observedAt: z
        .string({ error: '请填写发现时间' })
        .trim()
        .regex(DATE_OR_DATETIME, '发现时间格式应为 YYYY-MM-DD')
        .refine(isRealDate, '发现时间不是有效的日期')
        .refine((d) => d.slice(0, 10) <= today, '发现时间不能晚于今天'),
      description: trimmed(LIMITS.description.max, '问题描述').min(LIMITS.description.min, `问题描述至少 ${LIMITS.description.min} 个字`),
      suspectedPolluter: optionalText(LIMITS.suspectedPolluter, '涉嫌污染单位'),
      anonymous: flag,
      name: optionalText(LIMITS.name, '姓名'),
      phone: z.preprocess((v) => (typeof v === 'string' ? v.replace(/[\s-]/g, '') || undefined : v), z.string().regex(PHONE, '请填写正确的手机或固定电话号码').optional()),
      email: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.email('请填写正确的电子邮箱').max(LIMITS.email).optional()),
      consentPublish: flag,
      /** The reporter asks to be told of each public step by e-mail (needs a real-name report with an address). */
      notifyByEmail: flag,
      /** Honeypot: hidden from people; a bot that fills it is refused. */
      website: z.preprocess((v) => (v === undefined ? '' : v), z.string().max(0, '提交被拒绝')),
    })
    // Cross-field rules run even when other fields are invalid (`when`), so the
    // form can list every problem at once.
    .refine((v) => v.latitude === undefined || v.longitude !== undefined, { path: ['longitude'], message: '经度和纬度需同时填写', when: always })
    .refine((v) => v.longitude === undefined || v.latitude !== undefined, { path: ['latitude'], message: '经度和纬度需同时填写', when: always })
    .refine((v) => isYes(v.anonymous) || !!v.name, { path: ['name'], message: '实名举报请填写姓名，或选择匿名举报', when: always })
    .refine((v) => isYes(v.anonymous) || !!v.phone || !!v.email, { path: ['phone'], message: '实名举报请至少填写电话或电子邮箱之一', when: always })
    .refine((v) => isYes(v.anonymous) || !isYes(v.notifyByEmail) || !!v.email, { path: ['email'], message: '选择通过电子邮件告知办理进展时，请填写电子邮箱', when: always })
    .transform(({ website: _honeypot, ...v }) =>
      // An anonymous complaint keeps no contact details even if some were typed, and so gets no mail.
      v.anonymous ? { ...v, name: undefined, phone: undefined, email: undefined, notifyByEmail: false } : v,
    );
}
export type ComplaintInput = z.infer<ReturnType<typeof complaintInput>>;

/** Field errors keyed by field name (the one mapper, src/domain/field-errors.ts), for the form's script and tests. */
export { fieldErrors } from './field-errors.ts';

/**
 * Tracking codes: 13 characters from a 32-letter alphabet without 0, 1, I and O
 * (65 bits of randomness), shown in groups of four: ABCD-EFGH-JKMN-P.
 */
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const TRACKING_LENGTH = 13;

export function newTrackingCode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const bytes = random(TRACKING_LENGTH);
  // 256 is a multiple of 32, so taking each byte modulo 32 is unbiased.
  return Array.from(bytes, (b) => TRACKING_ALPHABET[b % 32]).join('');
}

export function formatTrackingCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** Reads a code as a person may type it (lower case, spaces, dashes); undefined if it cannot be one. */
export function normaliseTrackingCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s\-‐－]/g, '');
  if (code.length !== TRACKING_LENGTH) return undefined;
  return [...code].every((c) => TRACKING_ALPHABET.includes(c)) ? code : undefined;
}

/**
 * The public reference number (受理编号): year of receipt (China time) and a serial number within
 * it, e.g. `2026-000123`. Public by design: it names a complaint in lists, Open311 and duplicate
 * links, and grants nothing. The tracking code (查询码) above is the reporter's secret.
 */
export function formatReference(year: string, serial: number): string {
  return `${year}-${String(serial).padStart(6, '0')}`;
}

/** Reads a reference number as typed (full-width digits, other dashes, spaces); undefined if it cannot be one. */
export function normaliseReference(input: string): string | undefined {
  const text = input.normalize('NFKC').trim().replace(/[\s‐－—–]/g, '-');
  const m = /^(\d{4})-?(\d{1,9})$/.exec(text);
  if (!m || Number(m[2]) < 1) return undefined;
  return formatReference(m[1]!, Number(m[2]));
}

/** The form's field names, in the order of the form (for the error summary). */
export const FORM_FIELDS = [
  'pollutionTypes', 'region', 'address', 'latitude', 'longitude', 'observedAt', 'description',
  'suspectedPolluter', 'photos', 'anonymous', 'name', 'phone', 'email', 'consentPublish', 'captcha',
] as const;

/**
 * Reads the complaint form (FormData in the browser, a parsed body on the
 * server) into the object the intake schema validates, so both sides see the
 * same values.
 */
export function complaintFromForm(get: (name: string) => string | undefined, getAll: (name: string) => string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { pollutionTypes: getAll('pollutionTypes') };
  for (const name of ['region', 'address', 'latitude', 'longitude', 'observedAt', 'description', 'suspectedPolluter', 'name', 'phone', 'email', 'website'] as const) {
    const v = get(name);
    if (v !== undefined) out[name] = v;
  }
  // Radio buttons: "1" anonymous, "0" real name; unchecked boxes are simply absent.
  out.anonymous = get('anonymous') === '1';
  out.consentPublish = get('consentPublish') === '1';
  out.notifyByEmail = get('notifyByEmail') === '1';
  return out;
}
