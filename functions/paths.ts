/** Redirect targets the Node server makes up from a request's own path. */

/**
 * Where /path?query goes in Astro's directory format: /path/?query. The target is a path on
 * this site, always: leading slashes (and backslashes, which browsers read as slashes) are
 * collapsed to one, since `Location: //host/…` would send the browser to another host.
 */
export function directoryRedirect(requestUrl: string): string {
  const url = new URL(requestUrl);
  // pathname is percent-encoded by the URL parser: only / and \ can make it look like a host.
  const path = `/${url.pathname.replace(/^[/\\]+/, '')}`;
  return `${path}${path.endsWith('/') ? '' : '/'}${url.search}`;
}
