/** /sources/archive/<file>: the archived text of a source, byte for byte (its SHA-256 is on the source page). */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { readArchive } from '../../../content/archive.ts';

export function getStaticPaths() {
  return getPortal().content.sources.flatMap((s) => {
    const a = s.archivedCopy ? readArchive(s.archivedCopy) : undefined;
    return a ? [{ params: { file: a.file }, props: { file: a.file }, cacheKey: a.sha256 }] : [];
  });
}

export const GET: APIRoute = ({ props }) =>
  new Response(new Uint8Array(readArchive(props.file as string)!.data), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
