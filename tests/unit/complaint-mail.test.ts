/** The reporter's mails (src/domain/complaint-mail.ts), the back-off and the masking of addresses. */
import { describe, expect, it } from 'vitest';
import { maskEmail, maskEmailsIn, REPORTER_MAIL_STEPS, reporterMail, type ReporterMailFacts } from '../../src/domain/complaint-mail.ts';
import { MAX_ATTEMPTS, retryDelayMs } from '../../functions/mail/sender.ts';

const facts: ReporterMailFacts = {
  reference: '2026-000123',
  trackUrl: 'https://portal.example.org/complaints/track/ABCDEFGHJKMNP/',
  trackingCodeDisplay: 'ABCD-EFGH-JKMN-P',
  at: '2026-11-20T02:30:00.000Z',
  stateLabel: '已受理',
  decideBy: '2026-12-05T02:30:00.000Z',
  closeBy: '2027-01-19T02:30:00.000Z',
  reason: '理由文字',
  unitName: '武威市住房和城乡建设局',
  extensionDays: 15,
  verdict: '属实',
  duplicateOf: '2026-000100',
  disputable: true,
};

describe('reporterMail', () => {
  it.each(REPORTER_MAIL_STEPS)('%s: Chinese text with the reference number and the tracking link, nothing left blank', (step) => {
    const { subject, text } = reporterMail(step, facts);
    expect(subject).toMatch(/^【督察整改公开平台】.+（受理编号 2026-000123）$/);
    expect(text).toContain('受理编号：2026-000123');
    expect(text).toContain(facts.trackUrl);
    expect(text).toContain('请勿转发他人');
    expect(text).not.toMatch(/undefined|null|NaN/);
  });

  it('shows times in China time and the tracking code on the receipt only', () => {
    const received = reporterMail('received', facts).text;
    expect(received).toContain('2026年11月20日 10:30');
    expect(received).toContain('2026年12月5日 前决定是否受理');
    expect(received).toContain('查询码：ABCD-EFGH-JKMN-P');
    expect(reporterMail('accept', facts).text).not.toContain('查询码：');
  });

  it('says what each step means for the reporter', () => {
    expect(reporterMail('extend', facts).text).toContain('延长 15 天，新的办结期限为 2027年1月19日');
    expect(reporterMail('close', facts).text).toMatch(/核查结论：属实\n办理答复：理由文字\n如对办理结果有异议/);
    expect(reporterMail('close', { ...facts, disputable: false }).text).not.toContain('异议');
    expect(reporterMail('mark-duplicate', facts).text).toContain('与受理编号 2026-000100 的投诉');
  });
});

describe('masking addresses', () => {
  it('keeps the first character and the domain', () => {
    expect(maskEmail('reporter@example.net')).toBe('r***@example.net');
    expect(maskEmail('张三@例子.中国')).toBe('张***@例子.中国');
    expect(maskEmail('not-an-address')).toBe('***');
  });

  it('masks every address in an SMTP error', () => {
    expect(maskEmailsIn('550 5.1.1 <someone@example.org>: Recipient address rejected; from a.b@c.io')).toBe('550 5.1.1 <s***@example.org>: Recipient address rejected; from a***@c.io');
  });
});

describe('back-off', () => {
  it('doubles from one minute up to six hours', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(retryDelayMs(20)).toBe(6 * 3600_000);
    const total = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1)).reduce((a, b) => a + b, 0);
    expect(total / 60_000).toBe(511);
  });
});
