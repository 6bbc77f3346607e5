/**
 * The region hierarchy (全国 → 省 → 市 → 县), asked through one module: a region's ancestors,
 * its descendants, its children, its depth and its full name. The read model, the reference
 * data of the dynamic pages, the search index, the feeds and the filters all use it, so
 * "a province includes its counties" is decided once. Framework-free; cycles in the data (which
 * the content check refuses) stop the walk rather than loop.
 */
export interface RegionLike {
  id: string;
  name: string;
  level?: string | undefined;
  parent?: string | null | undefined;
}

export class RegionTree<R extends RegionLike = RegionLike> {
  readonly #byId = new Map<string, R>();
  readonly #children = new Map<string, R[]>();

  constructor(regions: readonly R[]) {
    for (const r of regions) this.#byId.set(r.id, r);
    for (const r of regions) {
      if (!r.parent) continue;
      const list = this.#children.get(r.parent) ?? [];
      list.push(r);
      this.#children.set(r.parent, list);
    }
  }

  get(id: string): R | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The region and every region above it, nearest first (`[county, city, province, national]`). */
  selfAndAncestors(id: string): R[] {
    const out: R[] = [];
    for (let r = this.#byId.get(id); r && !out.includes(r); r = r.parent ? this.#byId.get(r.parent) : undefined) out.push(r);
    return out;
  }

  /** Ids of the region and every region above it; an unknown id stands for itself. */
  selfAndAncestorIds(id: string): string[] {
    const ids = this.selfAndAncestors(id).map((r) => r.id);
    return ids.length ? ids : [id];
  }

  /** The regions directly under a region, in the data's order. */
  children(id: string): R[] {
    return this.#children.get(id) ?? [];
  }

  /** Ids of the region and every region under it (a filter on a province finds its counties). */
  selfAndDescendantIds(id: string): string[] {
    const out = [id];
    for (let i = 0; i < out.length; i++) for (const c of this.children(out[i]!)) if (!out.includes(c.id)) out.push(c.id);
    return out;
  }

  /** Steps up to the top: 0 for a region without a parent. */
  depth(id: string): number {
    return Math.max(0, this.selfAndAncestors(id).length - 1);
  }

  /** The full name from the top down, without the national level: 甘肃省武威市凉州区; an unknown id as it is. */
  fullName(id: string): string {
    const names = this.selfAndAncestors(id).filter((r) => r.level !== 'national').map((r) => r.name).reverse();
    return names.join('') || id;
  }
}
