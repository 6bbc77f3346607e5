/**
 * The mails a reporter gets about their own complaint, one per public step, in Simplified
 * Chinese plain text. Framework-free: functions/mail/outbox.ts stores what these return in the
 * same transaction as the step.
 *
 * Each mail names the complaint by its reference number and carries the reporter's tracking
 * link (the link holds their secret: these mails go to the reporter only, never to anyone else).
 * It says only what the tracking page says of this complaint: never the contents of another
 * complaint (a duplicate is named by its public reference number only).
 */
import { formatDateTimeZh, formatDateZh, todayInChina } from './dates.ts';

/** The steps a reporter is mailed about: intake, and every staff step with a public reply or a new clock. */
export const REPORTER_MAIL_STEPS = ['received', 'accept', 'reject', 'assign', 'extend', 'close-partially', 'close', 'mark-duplicate', 'reopen'] as const;
export type ReporterMailStep = (typeof REPORTER_MAIL_STEPS)[number];

export function isReporterMailStep(step: string): step is ReporterMailStep {
  return (REPORTER_MAIL_STEPS as readonly string[]).includes(step);
}

export interface ReporterMailFacts {
  /** The public reference number (受理编号). */
  reference: string;
  /** The tracking page's absolute URL (with the secret code). */
  trackUrl: string;
  /** The tracking code as shown on the receipt (ABCD-EFGH-JKMN-P). */
  trackingCodeDisplay: string;
  /** When the step was taken (ISO). */
  at: string;
  /** The complaint's state after the step, as the tracking page labels it. */
  stateLabel: string;
  /** Accept-or-refuse deadline (ISO), for a complaint not yet accepted. */
  decideBy?: string | undefined;
  /** Closing deadline (ISO), once accepted (extension included). */
  closeBy?: string | undefined;
  /** Text the reporter sees with the step: a refusal's or reopening's reason, an extension's reason, a closing reply. */
  reason?: string | undefined;
  unitName?: string | undefined;
  extensionDays?: number | undefined;
  verdict?: string | undefined;
  /** The earlier complaint's reference number, for a duplicate. */
  duplicateOf?: string | undefined;
  /** Whether the reporter may dispute the result on the tracking page now. */
  disputable?: boolean | undefined;
}

export const SITE_NAME = '督察整改公开平台';

/** Headers every automatic mail carries: no auto-replies or out-of-office answers back (RFC 3834). */
export const AUTOMATIC_MAIL_HEADERS: Readonly<Record<string, string>> = {
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
  'Content-Language': 'zh-CN',
};

const day = (iso: string) => formatDateZh(todayInChina(new Date(iso)));

/** What each step says: the subject's phrase and the lines between the greeting and the link. */
function stepText(step: ReporterMailStep, f: ReporterMailFacts): { title: string; lines: string[] } {
  switch (step) {
    case 'received':
      return {
        title: '您的投诉已收到',
        lines: [
          `您于 ${formatDateTimeZh(f.at)} 提交的环境问题投诉已收到。`,
          ...(f.decideBy ? [`我们将在 ${day(f.decideBy)} 前决定是否受理。`] : []),
          '此后每一步办理进展都会发送到本邮箱。',
        ],
      };
    case 'accept':
      return { title: '您的投诉已受理', lines: [`您的投诉已于 ${formatDateTimeZh(f.at)} 受理。`, ...(f.closeBy ? [`办结期限：${day(f.closeBy)}。`] : [])] };
    case 'reject':
      return { title: '您的投诉不予受理', lines: [`您的投诉经审查不予受理。`, `理由：${f.reason ?? ''}`] };
    case 'assign':
      return { title: '您的投诉已转交承办单位', lines: [`您的投诉已转交${f.unitName ?? '承办单位'}办理。`, ...(f.closeBy ? [`办结期限：${day(f.closeBy)}。`] : [])] };
    case 'extend':
      return {
        title: '您的投诉办理期限已延长',
        lines: [`您的投诉办理期限延长 ${f.extensionDays ?? ''} 天${f.closeBy ? `，新的办结期限为 ${day(f.closeBy)}` : ''}。`, `延期理由：${f.reason ?? ''}`],
      };
    case 'close-partially':
    case 'close':
      return {
        title: step === 'close' ? '您的投诉已办结' : '您的投诉已阶段性办结',
        lines: [
          step === 'close' ? '您的投诉已办结。' : `您的投诉已阶段性办结，后续办理仍在进行${f.closeBy ? `（办结期限：${day(f.closeBy)}）` : ''}。`,
          `核查结论：${f.verdict ?? ''}`,
          `办理答复：${f.reason ?? ''}`,
          ...(f.disputable ? ['如对办理结果有异议，可在下方查询页面提出。'] : []),
        ],
      };
    case 'mark-duplicate':
      return { title: '您的投诉已合并办理', lines: [`您的投诉与受理编号 ${f.duplicateOf ?? ''} 的投诉反映的是同一问题，已合并办理。`, '本投诉不再单独办理。'] };
    case 'reopen':
      return { title: '您的投诉已重新办理', lines: ['您的投诉已重新办理。', `理由：${f.reason ?? ''}`, ...(f.closeBy ? [`办结期限：${day(f.closeBy)}。`] : [])] };
  }
}

/** The subject and plain-text body of a reporter's mail about one step. */
export function reporterMail(step: ReporterMailStep, facts: ReporterMailFacts): { subject: string; text: string } {
  const { title, lines } = stepText(step, facts);
  const text = [
    '您好：',
    '',
    ...lines,
    '',
    `受理编号：${facts.reference}`,
    `当前状态：${facts.stateLabel}`,
    '',
    '查看办理进展（链接中含有您的查询码，相当于查询密码，请勿转发他人）：',
    facts.trackUrl,
    ...(step === 'received' ? ['', `查询码：${facts.trackingCodeDisplay}（请妥善保存，也可在本平台“查询办理进展”处输入）`] : []),
    '',
    '——',
    `本邮件由${SITE_NAME}自动发送，请勿直接回复。您在提交投诉时选择了通过电子邮件接收办理进展；邮件只发送到您填写的邮箱，内容仅限您本人的投诉。`,
    '如不想再收到这些邮件（或这不是您提交的投诉），请打开上面的查询链接，点击“停止发送办理进展邮件”。',
    '',
  ].join('\n');
  return { subject: `【${SITE_NAME}】${title}（受理编号 ${facts.reference}）`, text };
}

/** An address as staff see it in lists: the first character of the local part and the domain (z***@example.org). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${[...address.slice(0, at)][0]}***@${address.slice(at + 1)}`;
}

/** Masks every address in a text (an SMTP error may quote the recipient). */
export function maskEmailsIn(text: string): string {
  return text.replace(/[^\s<>"'(),;:@]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, maskEmail);
}
