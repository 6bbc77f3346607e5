/** Everything in one file: the validated content as published, with the as-of date. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../content/portal.ts';

export const GET: APIRoute = () => {
  const portal = getPortal();
  return new Response(JSON.stringify({ asOf: portal.asOf, ...portal.content }, null, 1), {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
};
