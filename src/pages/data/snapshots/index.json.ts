/** /data/snapshots/index.json: the published snapshots, oldest first, each with its manifest's SHA-256 (for `npm run verify:snapshots`). */
import type { APIRoute } from 'astro';
import { buildSnapshots } from '../../../site/published-snapshots.ts';
import { indexBytes } from '../../../site/snapshots.ts';

export const GET: APIRoute = () => new Response(new Uint8Array(indexBytes(buildSnapshots().snapshots)), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
