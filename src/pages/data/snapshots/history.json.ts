/**
 * /data/snapshots/history.json: every item's status, deadline and text across the published
 * snapshots, one entry per change (src/site/snapshot-compare.ts), read by the comparison page
 * /changes/. Derived from the snapshots, not part of their hash chain: each build writes it again.
 */
import type { APIRoute } from 'astro';
import { buildSnapshots } from '../../../site/published-snapshots.ts';

export const GET: APIRoute = () =>
  new Response(JSON.stringify(buildSnapshots().history), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
