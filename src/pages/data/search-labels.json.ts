/** Chinese names of the search facet values (regions, units, plans …), for the search API on Workers, which has no content of its own. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../content/portal.ts';
import { facetLabels } from '../../search/content-docs.ts';

export const GET: APIRoute = () =>
  new Response(JSON.stringify(facetLabels(getPortal())), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
