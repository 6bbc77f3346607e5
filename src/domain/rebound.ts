/**
 * The rebound watch (反弹监测, issue 15): an item declared done can be followed by new complaints
 * about the same kind of problem in the same place — exactly what the inspection teams'
 * falsified-rectification cases are about. The rule, published on the methodology page:
 *
 * - An item is **watched** from the day after it became done: its status (as of the site's date,
 *   src/domain/assess.ts) is in the done phase of the status table (src/domain/status.ts:
 *   基本完成/已完成/已销号), and the date it became done is known (a month or a year only counts
 *   from its last day). It must name regions, and topics that map to complaint pollution types
 *   (the editorial `pollutionTypes` of content/topics.yaml): an item of other topics is never watched.
 * - A complaint is a **possible rebound** (可能反弹) of a watched item when it was received on or
 *   after that day (China time), its region is one of the item's regions or lies within one (the
 *   region tree, src/domain/region-tree.ts), and one of its pollution types is one of the item's.
 * - **What is counted** (item page, digests): complaints received and not refused nor merged as a
 *   duplicate — awaiting screening or accepted (the complaint state table's helpers). Only a number
 *   is ever published; never a complaint's text, address or region.
 *
 * Framework-free: the server writes the rule as SQL over `rebound_watch` rows (`watchRows`), one per
 * item, region (the item's and every region under them) and pollution type, so that a complaint
 * finds its items by one indexed equality and an item its complaints by its own rows.
 */
import { isAccepted, COMPLAINT_STATES } from './complaint-states.ts';
import { POLLUTION_TYPES, type PollutionType } from './complaint.ts';
import { addDays, endOfPeriod, todayInChina } from './dates.ts';
import { isDone, type DisplayStatusId } from './status.ts';

/** The label staff and readers see. */
export const REBOUND_LABEL = '可能反弹';

/** What the rule needs to know about an item: plain data, no content types. */
export interface WatchedItemFacts {
  id: string;
  regions: readonly string[];
  topics: readonly string[];
  /** The item's status as of the site's date, and the day it became done (src/domain/assess.ts). */
  status: DisplayStatusId;
  doneOn?: string | undefined;
}

/** A topic's editorial mapping to complaint pollution types (content/topics.yaml). */
export interface TopicMapping {
  id: string;
  pollutionTypes?: readonly PollutionType[] | undefined;
}

/** The region hierarchy as the rule asks it (RegionTree of src/domain/region-tree.ts fits). */
export interface RegionLookup {
  selfAndDescendantIds(id: string): string[];
}

/** A watched item: from when, where (its regions and every region under them) and which pollution types. */
export interface Watch {
  itemId: string;
  /** The first day (China) a complaint counts: the day after the item became done. */
  fromDay: string;
  /** The same, as the UTC instant that day begins in China: compared with complaints' created_at. */
  from: string;
  regions: string[];
  pollutionTypes: PollutionType[];
}

/** The pollution types an item's topics map to, in the order of the complaint form. */
export function pollutionTypesOf(topics: readonly string[], mapping: readonly TopicMapping[]): PollutionType[] {
  const wanted = new Set(mapping.filter((t) => topics.includes(t.id)).flatMap((t) => t.pollutionTypes ?? []));
  return POLLUTION_TYPES.filter((p) => wanted.has(p));
}

/** The UTC instant a day in China (UTC+8) begins: 2020-07-31 → 2020-07-30T16:00:00.000Z. */
export function chinaDayStart(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00+08:00`)).toISOString();
}

/** The item's watch, or undefined when the rule does not apply to it (not done, no date, no region, no mapped topic). */
export function watchOf(item: WatchedItemFacts, mapping: readonly TopicMapping[], tree: RegionLookup): Watch | undefined {
  if (!isDone(item.status) || !item.doneOn) return undefined;
  const pollutionTypes = pollutionTypesOf(item.topics, mapping);
  if (!pollutionTypes.length || !item.regions.length) return undefined;
  const fromDay = addDays(endOfPeriod(item.doneOn), 1);
  const regions = [...new Set(item.regions.flatMap((r) => tree.selfAndDescendantIds(r)))];
  return { itemId: item.id, fromDay, from: chinaDayStart(fromDay), regions, pollutionTypes };
}

/** One row per region and pollution type of a watch: what the server stores in `rebound_watch`. */
export function watchRows(watch: Watch): { itemId: string; region: string; pollutionType: PollutionType; from: string }[] {
  return watch.regions.flatMap((region) => watch.pollutionTypes.map((pollutionType) => ({ itemId: watch.itemId, region, pollutionType, from: watch.from })));
}

/** The complaint as the rule sees it: where, what, when (never its text). */
export interface ComplaintFacts {
  region: string;
  pollutionTypes: readonly string[];
  /** When it was received (ISO instant). */
  receivedAt: string;
}

/** The rule itself: is this complaint a possible rebound of this watched item? */
export function isPossibleRebound(complaint: ComplaintFacts, watch: Watch): boolean {
  if (todayInChina(new Date(complaint.receivedAt)) < watch.fromDay) return false;
  if (!complaint.pollutionTypes.some((t) => (watch.pollutionTypes as readonly string[]).includes(t))) return false;
  // The watch's regions hold every region under the item's: a complaint in a county of a watched city is in them.
  return watch.regions.includes(complaint.region);
}

/**
 * Whether a complaint in this state is counted in the public number (item page, digests): accepted
 * (screened by staff), never one awaiting screening, refused or merged — otherwise anyone could
 * raise an item's public count with unscreened complaints for the 15 days screening may take.
 * Staff see the flag from intake on.
 */
export function countsAsRebound(state: string): boolean {
  return isAccepted(state);
}

/** Every counted state (for a database filter). */
export function reboundCountedStates(): string[] {
  return COMPLAINT_STATES.filter((s) => countsAsRebound(s.id)).map((s) => s.id);
}
