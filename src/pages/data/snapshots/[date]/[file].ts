/**
 * /data/snapshots/<date>/<file>: every file of every published snapshot and
 * its manifest.json, byte for byte (earlier ones as kept, never regenerated).
 */
import type { APIRoute } from 'astro';
import { buildSnapshots } from '../../../../site/published-snapshots.ts';
import { MANIFEST } from '../../../../site/snapshots.ts';

export function getStaticPaths() {
  return buildSnapshots().snapshots.flatMap((s) => [
    { params: { date: s.date, file: MANIFEST }, props: { bytes: s.manifestBytes } },
    ...[...s.files].map(([file, bytes]) => ({ params: { date: s.date, file }, props: { bytes } })),
  ]);
}

const TYPES: Record<string, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };

export const GET: APIRoute = ({ params, props }) =>
  new Response(new Uint8Array(props.bytes as Buffer), { headers: { 'Content-Type': TYPES[params.file!.split('.').pop()!] ?? 'application/octet-stream' } });
