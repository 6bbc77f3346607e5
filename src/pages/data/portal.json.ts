/** Everything in one file: the validated content as published, with the as-of date. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../content/portal.ts';
import { portalJson } from '../../site/snapshots.ts';

export const GET: APIRoute = () =>
  new Response(new Uint8Array(portalJson(getPortal())), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
