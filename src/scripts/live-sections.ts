/**
 * Live sections of static pages. A prerendered page (an item page, possibly served from a bundle)
 * cannot show what is in the database; where it has a section
 * `<section id="x" data-live="/on-demand/page/">` with a plain link for readers without
 * JavaScript, this fetches that on-demand page and puts its element of the same id in place.
 * The markup is the server's own (the same components as the page it comes from): nothing is
 * built here, so the section reads, prints and is checked (axe, 390 px) as the on-demand page is.
 * On any failure the link stays.
 */
export async function fillLiveSections(root: Document = document): Promise<void> {
  const sections = [...root.querySelectorAll<HTMLElement>('[data-live][id]')];
  await Promise.all(
    sections.map(async (section) => {
      const src = section.dataset.live!;
      // Only this site's own pages (a path), never another origin.
      if (!src.startsWith('/') || src.startsWith('//')) return;
      try {
        const res = await fetch(src, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
        if (!res.ok) return;
        const fetched = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById(section.id);
        if (!fetched || fetched.tagName !== section.tagName) return;
        section.replaceWith(root.importNode(fetched, true));
      } catch {
        // Offline, blocked: the link to the page stays.
      }
    }),
  );
}
