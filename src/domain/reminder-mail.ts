/**
 * The deadline reminder staff get (src/domain/reminders.ts), in Simplified Chinese plain text.
 * It names the complaint by its public reference number and links to its staff page, which asks
 * for a login: never the reporter's contact details, tracking code or words.
 */
import { ACCEPT_WITHIN_DAYS, CLOSE_WITHIN_DAYS } from './complaint-handling.ts';
import { SITE_NAME } from './complaint-mail.ts';
import { formatDateTimeZh } from './dates.ts';
import { REMIND_BEFORE_DAYS, type ReminderClock, type ReminderKind } from './reminders.ts';

export interface ReminderMailFacts {
  reference: string;
  clock: ReminderClock;
  kind: ReminderKind;
  /** The deadline (ISO instant). */
  dueBy: string;
  stateLabel: string;
  /** The unit it was passed to; undefined while with triage. */
  unitName?: string | undefined;
  extendedDays?: number | null | undefined;
  /** The complaint's staff page, absolute. */
  staffUrl: string;
}

const CLOCK_NAMES: Record<ReminderClock, string> = { decide: '受理期限', close: '办结期限' };

/** The rule of each clock, as a sentence. */
function clockRule(f: ReminderMailFacts): string {
  if (f.clock === 'decide') return `提交之日起 ${ACCEPT_WITHIN_DAYS} 日内作出是否受理的决定。`;
  return `受理之日起 ${CLOSE_WITHIN_DAYS} 日内办结${f.extendedDays ? `（已延长 ${f.extendedDays} 天，只能延长一次）` : '（可延长一次，最多 30 天，须说明理由）'}。`;
}

export function reminderMail(f: ReminderMailFacts): { subject: string; text: string } {
  const name = CLOCK_NAMES[f.clock];
  const when = formatDateTimeZh(f.dueBy);
  const title = f.kind === 'before' ? `投诉 ${f.reference} 的${name}即将届满` : `投诉 ${f.reference} 已超过${name}`;
  const text = [
    '您好：',
    '',
    f.kind === 'before'
      ? `受理编号为 ${f.reference} 的投诉，${name}为 ${when}，距届满已不足 ${REMIND_BEFORE_DAYS} 天。`
      : `受理编号为 ${f.reference} 的投诉，${name}已于 ${when} 届满，至今尚未${f.clock === 'decide' ? '作出是否受理的决定' : '办结'}。`,
    `期限规则：${clockRule(f)}`,
    '',
    `当前状态：${f.stateLabel}`,
    `承办单位：${f.unitName ?? '尚未转办（由管理员分流）'}`,
    '',
    '请登录工作人员区处理：',
    f.staffUrl,
    '',
    '——',
    `本邮件由${SITE_NAME}自动发送，请勿直接回复。收件人为该投诉承办单位的工作人员（尚未转办的投诉为管理员）；每个期限只在届满前 ${REMIND_BEFORE_DAYS} 天和届满后各提醒一次。邮件不含投诉人的联系方式和投诉内容。`,
    '',
  ].join('\n');
  return { subject: `【${SITE_NAME}】${title}`, text };
}
