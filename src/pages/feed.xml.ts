/** Atom feed of status changes and amendments, newest first (built by src/site/feed.ts). */
import type { APIRoute } from 'astro';
import { getPortal } from '../content/portal.ts';
import { listChanges } from '../site/changes.ts';
import { atomFeed } from '../site/feed.ts';

export const GET: APIRoute = ({ site }) => {
  const portal = getPortal();
  const base = site!.href.replace(/\/$/, '');
  return new Response(atomFeed(listChanges(portal), base, portal.asOf), { headers: { 'Content-Type': 'application/atom+xml; charset=utf-8' } });
};
