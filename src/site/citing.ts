/** Items citing each source document (for /sources/<id>/), indexed once: one scan per source page was quadratic. */
import type { Portal, PortalItem } from '../content/portal.ts';

const built = new WeakMap<Portal, Map<string, PortalItem[]>>();

export function itemsCiting(portal: Portal, sourceId: string): PortalItem[] {
  let index = built.get(portal);
  if (!index) {
    index = new Map();
    for (const i of portal.items) {
      // In portal order, each item once, as the filter it replaces listed them.
      for (const doc of new Set([i.item.source.doc, ...i.item.statusHistory.map((h) => h.source.doc)])) {
        const list = index.get(doc);
        if (list) list.push(i);
        else index.set(doc, [i]);
      }
    }
    built.set(portal, index);
  }
  return index.get(sourceId) ?? [];
}
