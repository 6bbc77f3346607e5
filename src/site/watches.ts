/**
 * The rebound watch's item facts from the content (src/domain/rebound.ts): every item the rule
 * applies to, with the site's assessment (its status and the day it became done), its regions
 * and the pollution types its topics map to (content/topics.yaml). Written to the database by
 * the index run (scripts/search-index.ts → functions/rebound.ts `syncReboundWatch`).
 */
import type { Portal } from '../content/portal.ts';
import { watchOf, type Watch } from '../domain/rebound.ts';

export function contentWatches(portal: Portal): Watch[] {
  return portal.items.flatMap((p) => {
    const w = watchOf({ id: p.item.id, regions: p.item.regions, topics: p.item.topics, status: p.assessment.status, doneOn: p.assessment.doneOn }, portal.content.topics, portal.regionTree);
    return w ? [w] : [];
  });
}
