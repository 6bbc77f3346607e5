/** /regions/<id>/items.csv and items.json: the rows of the items this page lists. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { listKey } from '../../../site/page-keys.ts';
import { ITEM_FILES, itemFileResponse, itemRowsFile, type ItemFile } from '../../../site/downloads.ts';
import { urls } from '../../../site/urls.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.content.regions.flatMap((r) => {
    const cacheKey = listKey(portal, [portal.itemsBy.region.get(r.id) ?? []]);
    return ITEM_FILES.map((file) => ({ params: { id: r.id, file }, props: { name: r.name }, cacheKey }));
  });
}

export const GET: APIRoute = ({ params, props }) => {
  const portal = getPortal();
  const items = portal.itemsBy.region.get(params.id!) ?? [];
  const file = params.file as ItemFile;
  return itemFileResponse(file, itemRowsFile(portal, items, file, { page: urls.region(params.id!), title: props.name as string }));
};
