/**
 * The portal's read model: validated content plus everything derived from it
 * (current text after amendments, assessments as of the build date, roll-ups).
 * Pages, feeds and open-data files all read this one object, so they agree.
 */
import { RegionTree } from '../domain/region-tree.ts';
import { assessItem, type ItemAssessment, type ItemFacts } from '../domain/assess.ts';
import { currentParts, revisionsOf, type FieldRevision } from '../domain/amend.ts';
import { todayInChina } from '../domain/dates.ts';
import { rollup, rollupBy, type Rollup } from '../domain/ratios.ts';
import type { CaseRecord, Inspection, Item, ItemPart, Plan, Region, SourceDocument, Unit } from '../model/schemas.ts';
import { checkIntegrity } from './integrity.ts';
import { CONTENT_DIR, loadContent, type Content, type ContentProblem } from './load.ts';

export interface PortalItem {
  /** The facts the assessment was made from, for re-assessing at other dates. */
  facts: ItemFacts;
  item: Item;
  plan: Plan;
  inspection: Inspection | undefined;
  groupTitle: string | undefined;
  /** Parts with every amendment up to the as-of date applied. */
  parts: ItemPart[];
  revisions: FieldRevision[];
  assessment: ItemAssessment;
  /** 第7项 / 第10、31项 */
  numberLabel: string;
  /** A short title: the first sentence of the problem, or the gloss. */
  title: string;
  responsibleUnits: string[];
  supervisingUnits: string[];
  /** The item's regions and all the regions above them. */
  regionKeys: string[];
}

export interface Portal {
  asOf: string;
  content: Content;
  items: PortalItem[];
  item(id: string): PortalItem | undefined;
  region(id: string): Region | undefined;
  /** The region hierarchy (src/domain/region-tree.ts). */
  regionTree: RegionTree<Region>;
  unit(id: string): Unit | undefined;
  plan(id: string): Plan | undefined;
  inspection(id: string): Inspection | undefined;
  source(id: string): SourceDocument | undefined;
  /**
   * Items grouped the ways pages list them, each list in `items` order (what
   * `items.filter(...)` gives), built once: a page per unit, region or item
   * that filtered every item would make the build grow with the square of the
   * content (see bench/scale/).
   */
  itemsBy: {
    plan: Map<string, PortalItem[]>;
    /** By region, including the regions above the item's own (as `regionKeys`). */
    region: Map<string, PortalItem[]>;
    responsibleUnit: Map<string, PortalItem[]>;
    supervisingUnit: Map<string, PortalItem[]>;
    topic: Map<string, PortalItem[]>;
    /** By the id of an item that they list among their `relatedItems` (later rounds continuing it). */
    relatedItem: Map<string, PortalItem[]>;
  };
  rollups: {
    all: Rollup;
    byPlan: Map<string, Rollup>;
    byGroup: Map<string, Rollup>;
    byInspection: Map<string, Rollup>;
    byRegion: Map<string, Rollup>;
    byUnit: Map<string, Rollup>;
    byTopic: Map<string, Rollup>;
  };
}

export function numberLabel(item: Item): string {
  return `第${[item.number, ...item.alsoNumbers].join('、')}项`;
}

/** The first sentence of the problem, trimmed to a title's length. */
export function itemTitle(item: Item): string {
  const text = item.problem ?? item.gloss;
  if (!text) return '问题原文未公开';
  const first = text.split(/[。；;]/)[0]!.trim();
  if (first.length <= 40) return first;
  // Too long: end at the last clause break that leaves a readable title.
  const cut = Math.max(first.lastIndexOf(',', 40), first.lastIndexOf('，', 40));
  return cut >= 12 ? first.slice(0, cut) : `${first.slice(0, 38)}……`;
}


/** Items under each key they give, in the order given; an item is listed once per key. */
function groupItems(items: readonly PortalItem[], keys: (i: PortalItem) => readonly string[]): Map<string, PortalItem[]> {
  const out = new Map<string, PortalItem[]>();
  for (const i of items) {
    for (const k of new Set(keys(i))) {
      const list = out.get(k);
      if (list) list.push(i);
      else out.set(k, [i]);
    }
  }
  return out;
}

export function buildPortal(content: Content, asOf: string): Portal {
  const regions = new Map(content.regions.map((r) => [r.id, r]));
  const regionTree = new RegionTree(content.regions);
  const units = new Map(content.units.map((u) => [u.id, u]));
  const plans = new Map(content.plans.map((p) => [p.id, p]));
  const inspections = new Map(content.inspections.map((i) => [i.id, i]));
  const sources = new Map(content.sources.map((s) => [s.id, s]));

  const items: PortalItem[] = content.items
    .map((item) => {
      const plan = plans.get(item.plan)!;
      const revisions = revisionsOf(item, plan.amendments, asOf);
      const parts = currentParts(item, revisions);
      const facts: ItemFacts = {
        statusHistory: item.statusHistory,
        parts: item.parts.map((p, k) => ({ label: p.label, originalDeadline: p.deadline, currentDeadline: parts[k]!.deadline })),
      };
      const assessment = assessItem(facts, asOf);
      return {
        facts,
        item,
        plan,
        inspection: inspections.get(plan.inspection),
        groupTitle: plan.groups.find((g) => g.id === item.group)?.title,
        parts,
        revisions,
        assessment,
        numberLabel: numberLabel(item),
        title: itemTitle(item),
        responsibleUnits: [...new Set(parts.flatMap((p) => p.responsibleUnits?.units ?? []))],
        supervisingUnits: [...new Set(parts.flatMap((p) => p.supervisingUnits?.units ?? []))],
        regionKeys: [...new Set(item.regions.flatMap((r) => regionTree.selfAndAncestorIds(r)))],
      };
    })
    .sort((a, b) => a.plan.id.localeCompare(b.plan.id) || a.item.number - b.item.number);

  const byId = new Map(items.map((i) => [i.item.id, i]));
  const a = (i: PortalItem) => i.assessment;
  return {
    asOf,
    content,
    items,
    item: (id) => byId.get(id),
    region: (id) => regions.get(id),
    regionTree,
    unit: (id) => units.get(id),
    plan: (id) => plans.get(id),
    inspection: (id) => inspections.get(id),
    source: (id) => sources.get(id),
    itemsBy: {
      plan: groupItems(items, (i) => [i.plan.id]),
      region: groupItems(items, (i) => i.regionKeys),
      responsibleUnit: groupItems(items, (i) => i.responsibleUnits),
      supervisingUnit: groupItems(items, (i) => i.supervisingUnits),
      topic: groupItems(items, (i) => i.item.topics),
      relatedItem: groupItems(items, (i) => i.item.relatedItems),
    },
    rollups: {
      all: rollup(items.map(a)),
      byPlan: rollupBy(items, (i) => [i.plan.id], a),
      byGroup: rollupBy(items, (i) => (i.item.group ? [`${i.plan.id}/${i.item.group}`] : []), a),
      byInspection: rollupBy(items, (i) => [i.plan.inspection], a),
      byRegion: rollupBy(items, (i) => i.regionKeys, a),
      byUnit: rollupBy(items, (i) => i.responsibleUnits, a),
      byTopic: rollupBy(items, (i) => i.item.topics, a),
    },
  };
}

/**
 * The item assessed as of an earlier date, with only the amendments in force
 * then (the as-of date of the build at the latest): for progress over time.
 */
export function assessItemAt(p: PortalItem, date: string, asOf: string): ItemAssessment {
  const at = date < asOf ? date : asOf;
  const parts = currentParts(p.item, revisionsOf(p.item, p.plan.amendments, at));
  return assessItem(
    {
      statusHistory: p.item.statusHistory,
      parts: p.item.parts.map((pt, k) => ({ label: pt.label, originalDeadline: pt.deadline, currentDeadline: parts[k]!.deadline })),
    },
    at,
  );
}

/** Validates content and cross-references; returns every problem found. */
export function checkContent(root = CONTENT_DIR): ContentProblem[] {
  const { content, problems, origins } = loadContent(root);
  // Cross-references are checked only on content that loaded cleanly: a record
  // that failed its schema is missing, and would be reported again as dangling.
  return problems.length ? problems : checkIntegrity(content, origins, root);
}

/** The as-of date of this build: PORTAL_AS_OF if set (for reproducible builds and tests), else today in China. */
export function buildAsOf(): string {
  const fromEnv = process.env.PORTAL_AS_OF;
  if (fromEnv && !/^\d{4}-\d{2}-\d{2}$/.test(fromEnv)) throw new Error(`PORTAL_AS_OF 应为 YYYY-MM-DD：${fromEnv}`);
  return fromEnv || todayInChina();
}

let cached: Portal | undefined;
/** The portal built from `content/` (or CONTENT_DIR) as of the build date; loaded once per process. */
export function getPortal(): Portal {
  if (cached) return cached;
  const { content, problems, origins } = loadContent();
  const all = problems.length ? problems : checkIntegrity(content, origins, CONTENT_DIR);
  if (all.length) {
    throw new Error(`内容有误：\n${all.map((p) => `${p.file} › ${p.field}：${p.message}`).join('\n')}`);
  }
  cached = buildPortal(content, buildAsOf());
  return cached;
}

/** Cases touching a region (or any region below it). */
export function casesInRegion(portal: Portal, regionId: string): CaseRecord[] {
  return portal.content.cases.filter((c) => c.regions.some((r) => portal.regionTree.selfAndAncestorIds(r).includes(regionId)));
}
