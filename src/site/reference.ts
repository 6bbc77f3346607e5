/**
 * The reference lists the dynamic parts of the portal need at run time —
 * regions a complaint may name, units a complaint may be passed to — taken
 * from the content and published with the build as /data/reference.json, so
 * the Worker reads the same lists the static site was built from.
 */
import { RegionTree } from '../domain/region-tree.ts';
import type { Content } from '../content/load.ts';

export interface RegionRef {
  id: string;
  name: string;
  level: string;
  parent: string | null;
}
export interface UnitRef {
  id: string;
  name: string;
  kind: 'body' | 'collective';
  region: string;
}
/** An item with a sign-off notice window, for objections (see src/domain/signoff.ts). */
export interface NoticeRef {
  itemId: string;
  title: string;
  noticeFrom: string;
  noticeTo: string;
  signedOffOn: string | null;
  objectionContact: string | null;
}
/** An item or plan a reader may follow by e-mail (functions/subscriptions.ts), with the name its feed gives it. */
export interface NamedRef {
  id: string;
  name: string;
}
export interface Reference {
  regions: RegionRef[];
  units: UnitRef[];
  notices: NoticeRef[];
  /** Items and plans, for subscriptions; absent in reference data built before them. */
  items?: NamedRef[];
  plans?: NamedRef[];
  /** Topics and the complaint pollution types their items are about (content/topics.yaml), for suggesting items to link a complaint to. */
  topics?: { id: string; pollutionTypes: string[] }[];
}

export function referenceFrom(content: Pick<Content, 'regions' | 'units' | 'items'> & Partial<Pick<Content, 'plans' | 'topics'>>, title: (item: Content['items'][number]) => string): Reference {
  const planTitle = new Map((content.plans ?? []).map((p) => [p.id, p.title]));
  return {
    topics: (content.topics ?? []).flatMap((t) => (t.pollutionTypes?.length ? [{ id: t.id, pollutionTypes: [...t.pollutionTypes] }] : [])),
    // Named as their feeds name them: the plan's title and the item's number in it.
    items: content.items.map((i) => ({ id: i.id, name: `${planTitle.get(i.plan) ?? i.plan} 第${[i.number, ...i.alsoNumbers].join('、')}项` })),
    plans: (content.plans ?? []).map((p) => ({ id: p.id, name: p.title })),
    regions: content.regions.map((r) => ({ id: r.id, name: r.name, level: r.level, parent: r.parent ?? null })),
    units: content.units.map((u) => ({ id: u.id, name: u.name, kind: u.kind, region: u.region })),
    notices: content.items.flatMap((i) =>
      i.signOff?.noticeFrom && i.signOff.noticeTo
        ? [{ itemId: i.id, title: title(i), noticeFrom: i.signOff.noticeFrom, noticeTo: i.signOff.noticeTo, signedOffOn: i.signOff.signedOffOn ?? null, objectionContact: i.signOff.objectionContact ?? null }]
        : [],
    ),
  };
}

/** A region's full name from the top down, without 全国: 甘肃省武威市凉州区. */
export function regionFullName(ref: Reference, id: string): string {
  return regionTreeOf(ref).fullName(id);
}

/** The reference data's region tree, made once per reference object. */
const trees = new WeakMap<Reference, RegionTree>();
export function regionTreeOf(ref: Reference): RegionTree {
  let tree = trees.get(ref);
  if (!tree) trees.set(ref, (tree = new RegionTree(ref.regions)));
  return tree;
}

export function unitName(ref: Reference, id: string | null | undefined): string | undefined {
  return id ? ref.units.find((u) => u.id === id)?.name ?? id : undefined;
}

/** A region and every region above it (for filters on a province to find its counties). */
export function regionWithAncestors(ref: Reference, id: string): string[] {
  return regionTreeOf(ref).selfAndAncestorIds(id);
}
