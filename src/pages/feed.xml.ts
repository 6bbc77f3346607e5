/** Atom feed of the whole site: every dated event, newest first (src/site/changes.ts). */
import type { APIRoute } from 'astro';
import { getPortal } from '../content/portal.ts';
import { atomResponse, siteFeed } from '../site/feeds.ts';

export const GET: APIRoute = () => atomResponse(siteFeed(getPortal()));
