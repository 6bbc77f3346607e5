/** What each runtime (functions/runtime/node.ts, functions/runtime/worker.ts) gives the routes of src/pages. */
import type { createApp } from '../app.ts';
import type { Database } from '../db.ts';
import type { FacetLabels } from '../../src/search/index-store.ts';

export interface PortalRuntime {
  /** The Hono app: JSON API, Open311 and the routes of the pages Astro draws (functions/routes, src/views). */
  app: ReturnType<typeof createApp>;
  /** The database, when one is configured (on Workers it may not be). */
  db: Database | undefined;
  /** Names of search facet values. */
  searchLabels: FacetLabels | undefined;
}
