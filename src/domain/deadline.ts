/**
 * Deadline parsing: turns the 整改时限 phrases of real plans into dates.
 *
 * The original text is always kept and shown; the parsed form only drives the
 * overdue flags and the on-time ratio. A phrase this module cannot read comes
 * back as `unparsed` and is reported by the content check rather than guessed.
 */

export type ParsedDeadline =
  /** A calendar date by which the item is due (the last day of the period named). */
  | { kind: 'date'; text: string; date: string; phrase: string; followUp?: string }
  /** Part of the item is due by `date`; another part waits on an outside decision. */
  | { kind: 'conditional'; text: string; date?: string; phrase?: string; condition: string }
  /** 长期坚持 / 持续加强: no end date. 立行立改 with them still has no date to miss. */
  | { kind: 'ongoing'; text: string; immediate: boolean }
  /** 立行立改 alone: to be done at once, no stated date. */
  | { kind: 'immediate'; text: string }
  | { kind: 'unparsed'; text: string };

const ONGOING = /长期坚持|持续加强|持续推进|常态化|长期推进|久久为功/;
const IMMEDIATE = /立行立改|立即整改|即知即改/;
/** Words that make part of a deadline depend on something outside the plan. */
const CONDITION = /根据[^,，。;；]*?(?:时间|批复|审批|审核)[^,，。;；]*?确定|待[^,，。;；]*?(?:批复|审批)后/;

/** A year, optionally a month and day, and the period word after it. */
const DATE_PHRASE =
  /(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?)?\s*(年底|年末|底|末|上半年|下半年|第([一二三四1-4])季度)?\s*(前|以前|之前)?/g;

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function iso(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const QUARTER: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

/**
 * The last day covered by one matched date phrase, or undefined when the phrase
 * is a start ("2021年起") or too vague to date.
 */
function dateOfPhrase(m: RegExpExecArray, after: string): string | undefined {
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : undefined;
  const day = m[3] ? Number(m[3]) : undefined;
  const period = m[4];
  // "2021年起" / "2021年开始" marks when something starts, not a deadline.
  if (!month && !period && /^\s*(起|开始|以来|至今)/.test(after)) return undefined;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (month !== undefined && day !== undefined) {
    if (day < 1 || day > lastDayOfMonth(year, month)) return undefined;
    return iso(year, month, day);
  }
  if (month !== undefined) {
    // "2020年11月底前", "2020年11月末"; a bare "2020年8月前" means before August and is left unparsed.
    if (period === '底' || period === '末' || (!period && !m[6])) return iso(year, month, lastDayOfMonth(year, month));
    return undefined;
  }
  if (period === '上半年') return iso(year, 6, 30);
  if (m[5]) {
    const q = QUARTER[m[5]]!;
    return iso(year, q * 3, lastDayOfMonth(year, q * 3));
  }
  // "2020年年底前", "2020年底前", "2020年年末", "2020年下半年", and "2020年完成".
  return iso(year, 12, 31);
}

/** Normalises full-width digits and punctuation so one pattern reads both. */
function normalise(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** Parses one 整改时限 text. */
/**
 * Parsed deadlines by their text: progress over time assesses every item at every date of a
 * chart, each time parsing the same few texts (most of a 50,000-item build's time). Results are
 * never changed by callers; the cache is emptied past its size.
 */
const parsedCache = new Map<string, ParsedDeadline>();
const PARSED_CACHE_MAX = 100_000;

export function parseDeadline(text: string): ParsedDeadline {
  let parsed = parsedCache.get(text);
  if (!parsed) {
    if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.clear();
    parsed = parseDeadlineText(text);
    parsedCache.set(text, parsed);
  }
  return parsed;
}

function parseDeadlineText(text: string): ParsedDeadline {
  const t = normalise(text);
  const matches: { date: string; phrase: string; index: number; end: number }[] = [];
  for (const m of t.matchAll(DATE_PHRASE)) {
    const end = m.index + m[0].length;
    const date = dateOfPhrase(m, t.slice(end));
    if (date) matches.push({ date, phrase: m[0].trim(), index: m.index, end });
  }
  const condition = CONDITION.exec(t);

  if (condition) {
    const first = matches[0];
    return first
      ? { kind: 'conditional', text, date: first.date, phrase: first.phrase, condition: condition[0] }
      : { kind: 'conditional', text, condition: condition[0] };
  }
  if (matches.length > 0) {
    // The first date is the deadline; what follows a full stop is a later
    // commitment ("2021年起……") kept as the follow-up, not a second deadline.
    const first = matches[0]!;
    const stop = t.indexOf('。', first.end);
    const followUp = stop >= 0 ? t.slice(stop + 1).trim() : '';
    return followUp
      ? { kind: 'date', text, date: first.date, phrase: first.phrase, followUp }
      : { kind: 'date', text, date: first.date, phrase: first.phrase };
  }
  if (ONGOING.test(t)) return { kind: 'ongoing', text, immediate: IMMEDIATE.test(t) };
  if (IMMEDIATE.test(t)) return { kind: 'immediate', text };
  return { kind: 'unparsed', text };
}

/** The date against which an item is judged overdue, if the deadline has one. */
export function dueDate(parsed: ParsedDeadline | undefined): string | undefined {
  if (!parsed) return undefined;
  if (parsed.kind === 'date') return parsed.date;
  if (parsed.kind === 'conditional') return parsed.date;
  return undefined;
}

/** A short Chinese description of the parsed form, for the open data (ISO dates); pages use describeDeadlineZh. */
export function describeDeadline(parsed: ParsedDeadline | undefined): string {
  if (!parsed) return '时限未公开';
  switch (parsed.kind) {
    case 'date':
      return `${parsed.date} 前`;
    case 'conditional':
      return parsed.date ? `${parsed.date} 前（部分另定）` : '时限另定';
    case 'ongoing':
      return '长期坚持';
    case 'immediate':
      return '立行立改';
    case 'unparsed':
      return '无法解析';
  }
}

/**
 * What kind of deadline an item or part has. Kept apart so that no figure
 * counts one as another: an item whose deadline no source gives is
 * “时限未公开”, never “无期限”.
 */
export type DeadlineCategory = 'dated' | 'no-end' | 'pending' | 'undisclosed' | 'unparsed';

export interface DeadlineCategoryDefinition {
  id: DeadlineCategory;
  label: string;
  /** One sentence for the methodology page and the legend. */
  definition: string;
}

export const DEADLINE_CATEGORIES: readonly DeadlineCategoryDefinition[] = [
  { id: 'dated', label: '有到期日', definition: '整改时限给出了可以判断到期的日期（如“2020年年底前”）；到期后未完成即为逾期。' },
  { id: 'no-end', label: '无期限', definition: '整改时限为立行立改、长期坚持、持续加强等，没有终点日期，不会逾期，也不计入按期完成率。' },
  { id: 'pending', label: '时限另定', definition: '整改时限称根据批复等另行确定，来源没有给出日期；不计入按期完成率。' },
  { id: 'undisclosed', label: '时限未公开', definition: '已收录的来源没有给出该项的整改时限。这不等于没有期限：本站不作推测，不计入按期完成率，也不计入“无期限”。' },
  { id: 'unparsed', label: '无法解析', definition: '整改时限原文无法解析为日期；内容检查会拒绝这样的内容，正常情况下不会出现。' },
];

const categoryById = new Map(DEADLINE_CATEGORIES.map((c) => [c.id, c]));

export function deadlineCategoryDefinition(id: DeadlineCategory): DeadlineCategoryDefinition {
  return categoryById.get(id)!;
}

/** The category of one parsed deadline; `undefined` (no deadline text in any source) is 时限未公开. */
export function deadlineCategory(parsed: ParsedDeadline | undefined): DeadlineCategory {
  if (!parsed) return 'undisclosed';
  switch (parsed.kind) {
    case 'date':
      return 'dated';
    case 'conditional':
      return parsed.date ? 'dated' : 'pending';
    case 'ongoing':
    case 'immediate':
      return 'no-end';
    case 'unparsed':
      return 'unparsed';
  }
}

/**
 * The category of an item made of parts. An item has a due date only when
 * every part has one; otherwise the reason is, in this order: some part's
 * deadline is not disclosed (we cannot know), some part is to be set later,
 * some part cannot be read, else a part has no end (无期限).
 */
export function combinedDeadlineCategory(parts: readonly (ParsedDeadline | undefined)[]): DeadlineCategory {
  const cats = parts.map(deadlineCategory);
  if (cats.every((c) => c === 'dated')) return 'dated';
  for (const c of ['undisclosed', 'pending', 'unparsed'] as const) if (cats.includes(c)) return c;
  return 'no-end';
}

/** A date written the portal's one prose way: 2020-12-31 → 2020年12月31日. */
function zhDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/** describeDeadline for reading (tables and prose): dates the Chinese way. */
export function describeDeadlineZh(parsed: ParsedDeadline | undefined): string {
  if (!parsed) return '时限未公开';
  switch (parsed.kind) {
    case 'date':
      return `${zhDate(parsed.date)}前`;
    case 'conditional':
      return parsed.date ? `${zhDate(parsed.date)}前（部分另定）` : '时限另定';
    case 'ongoing':
      return parsed.immediate ? '立行立改、长期坚持（无期限）' : '长期坚持（无期限）';
    case 'immediate':
      return '立行立改（无期限）';
    case 'unparsed':
      return '无法解析';
  }
}
