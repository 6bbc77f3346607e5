/**
 * The status vocabulary: one ordered list of the statuses a source may give a
 * rectification item, with their Chinese labels and what counts as done.
 *
 * Order runs from furthest along to least, and is used for sorting and for the
 * order of chart segments. `undisclosed` is never written in content: it is what
 * an item shows when no source gives it a status.
 */

export interface StatusDefinition {
  id: StatusId;
  label: string;
  /** Counts as done for the completion and on-time ratios. */
  done: boolean;
  /** One sentence for the methodology page. */
  definition: string;
}

export const STATUS_IDS = [
  'signed-off',
  'completed',
  'basically-completed',
  'on-schedule',
  'ongoing',
  'behind-schedule',
  'not-completed',
] as const;

export type StatusId = (typeof STATUS_IDS)[number];
/** A status as displayed: one of the vocabulary, or "no progress disclosed". */
export type DisplayStatusId = StatusId | 'undisclosed';

export const STATUSES: readonly StatusDefinition[] = [
  { id: 'signed-off', label: '已销号', done: true, definition: '经验收、公示后予以销号。' },
  { id: 'completed', label: '已完成', done: true, definition: '来源称整改已完成。' },
  { id: 'basically-completed', label: '基本完成', done: true, definition: '来源称整改基本完成。按惯例计入完成。' },
  { id: 'on-schedule', label: '达到序时进度', done: false, definition: '尚未完成，来源称进度符合时间安排。' },
  { id: 'ongoing', label: '长期坚持', done: false, definition: '措施已落实、需长期坚持的任务；无终点，不计入完成。' },
  { id: 'behind-schedule', label: '未达到序时进度', done: false, definition: '尚未完成，来源称进度落后于时间安排。' },
  { id: 'not-completed', label: '未完成', done: false, definition: '来源称整改未完成。' },
];

export const UNDISCLOSED = {
  id: 'undisclosed',
  label: '未公开进展',
  done: false,
  definition: '没有任何已收录的来源给出该项的整改状态。',
} as const;

const byId = new Map<string, StatusDefinition>(STATUSES.map((s) => [s.id, s]));

/** Labels accepted on input (import, ledgers) for each status, including variants met in real documents. */
const INPUT_LABELS: Record<string, StatusId> = {
  已销号: 'signed-off',
  已完成: 'completed',
  完成: 'completed',
  已完成整改: 'completed',
  基本完成: 'basically-completed',
  已基本完成: 'basically-completed',
  基本完成整改: 'basically-completed',
  达到序时进度: 'on-schedule',
  // A transposition seen in published ledgers.
  达到时序进度: 'on-schedule',
  长期坚持: 'ongoing',
  未达到序时进度: 'behind-schedule',
  未达到时序进度: 'behind-schedule',
  未完成: 'not-completed',
  未完成整改: 'not-completed',
};

/** The definition of a status id, including `undisclosed`. */
export function statusDefinition(id: DisplayStatusId): StatusDefinition | typeof UNDISCLOSED {
  if (id === 'undisclosed') return UNDISCLOSED;
  const found = byId.get(id);
  if (!found) throw new Error(`未知状态：${id}`);
  return found;
}

export function statusLabel(id: DisplayStatusId): string {
  return statusDefinition(id).label;
}

export function isDone(id: DisplayStatusId): boolean {
  return statusDefinition(id).done;
}

/** Position in the vocabulary order (undisclosed last); for sorting. */
export function statusRank(id: DisplayStatusId): number {
  return id === 'undisclosed' ? STATUSES.length : STATUSES.findIndex((s) => s.id === id);
}

/**
 * Reads a status written in Chinese (a ledger cell, an imported document) or as
 * an id. Whitespace and full-width spaces are ignored. Returns undefined for
 * anything not in the vocabulary, so callers can report it.
 */
export function parseStatus(input: string): StatusId | undefined {
  const cleaned = input.replace(/[\s\u3000]/g, '');
  if (byId.has(cleaned)) return cleaned as StatusId;
  return INPUT_LABELS[cleaned];
}
