/**
 * Sign-off after a public notice (验收销号公示): while the notice window is
 * open anyone may object; an item counts as signed off (已销号) only once the
 * window has closed and every objection lodged has a published disposition.
 */

export interface NoticeWindow {
  /** First and last day of the notice (YYYY-MM-DD, inclusive). */
  noticeFrom?: string | undefined;
  noticeTo?: string | undefined;
  /** The sign-off date the source gives, if any. */
  signedOffOn?: string | null | undefined;
}

export type SignOffState = 'no-notice' | 'not-yet-open' | 'notice-open' | 'objections-pending' | 'signed-off' | 'awaiting-sign-off';

export const SIGN_OFF_LABELS: Record<SignOffState, string> = {
  'no-notice': '未公开销号公示',
  'not-yet-open': '公示尚未开始',
  'notice-open': '销号公示中',
  'objections-pending': '公示期满，异议处理中',
  'signed-off': '已销号',
  'awaiting-sign-off': '公示期满，尚未公开销号',
};

/** Whether objections may be lodged on `today` (China date). */
export function windowOpen(window: NoticeWindow, today: string): boolean {
  return !!window.noticeFrom && !!window.noticeTo && window.noticeFrom <= today && today <= window.noticeTo;
}

/** The sign-off state of an item on `today`, given the objections lodged against it. */
export function signOffState(window: NoticeWindow, today: string, objections: readonly { disposed: boolean }[]): SignOffState {
  if (!window.noticeFrom || !window.noticeTo) return 'no-notice';
  if (today < window.noticeFrom) return 'not-yet-open';
  if (today <= window.noticeTo) return 'notice-open';
  if (objections.some((o) => !o.disposed)) return 'objections-pending';
  return window.signedOffOn ? 'signed-off' : 'awaiting-sign-off';
}
