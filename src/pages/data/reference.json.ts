/** Regions and units for the dynamic parts of the portal (complaint form, staff pages, Worker). */
import type { APIRoute } from 'astro';
import { getPortal, itemTitle } from '../../content/portal.ts';
import { referenceFrom } from '../../site/reference.ts';

export const GET: APIRoute = () =>
  new Response(JSON.stringify(referenceFrom(getPortal().content, itemTitle)), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
