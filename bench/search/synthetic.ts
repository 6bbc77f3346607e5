/**
 * SYNTHETIC search documents for the scale benchmark (`bench/search/scale.ts`), never content:
 * every one has a source `synthetic-<n>`, an id `synthetic:<n>`, a title starting 【合成数据】 and a
 * URL under /synthetic/. Each is a variant of a real document picked at random (so kinds, lengths
 * and how many documents hold a word such as 污水 follow the real content): its sentences
 * shuffled, about a third of them swapped for sentences of other documents, numbers and place
 * names changed, facets redrawn (300 plans, 60 inspections, every region and unit); one in ten
 * becomes a complaint. Both scripts occur, as in the real content. Seeded: document n is the
 * same on every run, as long as documents are drawn in order.
 */
import { getPortal } from '../../src/content/portal.ts';
import { POLLUTION_TYPES } from '../../src/domain/complaint.ts';
import { STATUS_IDS } from '../../src/domain/status.ts';
import { contentDocuments, regionKeys } from '../../src/search/content-docs.ts';
import type { SearchDocument, SearchKind } from '../../src/search/index-store.ts';

// A small seeded generator: the same documents on every run.
let seed = 20240601;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const some = <T>(xs: readonly T[], n: number): T[] => [...new Set(Array.from({ length: n }, () => pick(xs)))];

const portal = getPortal();
const real = contentDocuments(portal);
const sentences = [
  ...new Set(
    real.flatMap((d) => d.fields.flatMap((f) => f.text.split(/(?<=[。；;！？])/u))).map((s) => s.trim()).filter((s) => [...s].length >= 8),
  ),
];
const placeNames = portal.content.regions.flatMap((r) => [r.name, r.shortName ?? r.name, ...r.aliases]).filter((n) => n.length >= 2);
const placePattern = new RegExp(placeNames.sort((a, b) => b.length - a.length).join('|'), 'gu');
const regions = portal.content.regions.map((r) => r.id);
const units = portal.content.units.map((u) => u.id);
const topics = portal.content.topics.map((t) => t.id);
const statuses = [...STATUS_IDS, 'undisclosed'];
const plans = Array.from({ length: 300 }, (_, i) => `synthetic-plan-${i + 1}`);
const inspections = Array.from({ length: 60 }, (_, i) => `synthetic-inspection-${i + 1}`);

/** A real sentence with its numbers and place names changed. */
function mutate(text: string): string {
  return text.replace(/\d+/g, (d) => String(Math.floor(rnd() * 10 ** Math.min(d.length, 4)))).replace(placePattern, () => pick(placeNames));
}

const splitSentences = (text: string) => text.split(/(?<=[。；;！？])/u).filter((x) => x.trim());

/** A variant of one field: its sentences shuffled, a third swapped for others, numbers and places changed. */
function variant(text: string): string {
  const parts = splitSentences(text).map((x) => (rnd() < 0.33 ? pick(sentences) : x));
  for (let i = parts.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return mutate(parts.join(''));
}

function syntheticDoc(n: number): SearchDocument {
  const template = pick(real);
  const kind: SearchKind = rnd() < 0.1 ? 'complaint' : template.kind;
  const year = 2016 + Math.floor(rnd() * 10);
  return {
    id: `synthetic:${n}`,
    source: 'synthetic',
    kind,
    title: `【合成数据】${mutate(template.title)}`,
    url: `/synthetic/${n}/`,
    date: `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}`,
    fields: template.fields.map((f) => ({ ...f, text: variant(f.text) })),
    facets: {
      inspection: [pick(inspections)],
      plan: [pick(plans)],
      region: regionKeys(portal, [pick(regions)]),
      unit: some(units, 1 + Math.floor(rnd() * 2)),
      status: kind === 'item' || kind === 'part' ? [pick(statuses)] : [],
      topic: some(topics, 1 + Math.floor(rnd() * 2)),
      pollution: kind === 'complaint' ? some(POLLUTION_TYPES, 1 + Math.floor(rnd() * 2)) : [],
    },
  };
}


export { real, sentences };
export { syntheticDoc };

/** Characters of text in a document (title and fields), for the benchmark's corpus size. */
export const charsOf = (d: SearchDocument) => d.title.length + d.fields.reduce((m, f) => m + f.text.length, 0);
