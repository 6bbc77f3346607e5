/**
 * Dates as the portal handles them: ISO strings, possibly known only to the
 * month or year (`2017-10`, `2017`), compared as strings once widened to a day.
 */

/** The last day a partial date can mean: 2017-10 → 2017-10-31, 2017 → 2017-12-31. */
export function endOfPeriod(date: string): string {
  const [y, m, d] = date.split('-');
  if (d) return date;
  if (m) {
    const last = new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate();
    return `${y}-${m}-${String(last).padStart(2, '0')}`;
  }
  return `${y}-12-31`;
}

/** The first day a partial date can mean: 2017-10 → 2017-10-01. */
export function startOfPeriod(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}-${m ?? '01'}-${d ?? '01'}`;
}

/** Formats an ISO or partial date the Chinese way: 2020年7月30日, 2017年10月, 2017年. */
export function formatDateZh(date: string | undefined): string {
  if (!date) return '未公开';
  const [y, m, d] = date.split('-');
  if (d) return `${y}年${Number(m)}月${Number(d)}日`;
  if (m) return `${y}年${Number(m)}月`;
  return `${y}年`;
}

/** Today's date in China (UTC+8) as YYYY-MM-DD: the default "as of" date of a build. */
export function todayInChina(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** An instant (ISO timestamp) in China time, the Chinese way: 2026年11月23日 17:50. */
export function formatDateTimeZh(iso: string): string {
  const t = new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  return `${formatDateZh(t.slice(0, 10))} ${t.slice(11, 16)}`;
}

/** A calendar date `days` days after (or before, if negative) an ISO date. */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${endOfPeriod(date)}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (ISO dates); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
