/** /units/<id>/items.csv and items.json: the rows of the items this page lists. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../content/portal.ts';
import { listKey, unitLists } from '../../../site/page-keys.ts';
import { ITEM_FILES, itemFileResponse, itemRowsFile, type ItemFile } from '../../../site/downloads.ts';
import { urls } from '../../../site/urls.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.content.units.flatMap((u) => {
    const cacheKey = listKey(portal, unitLists(portal, u.id));
    return ITEM_FILES.map((file) => ({ params: { id: u.id, file }, props: { name: u.name }, cacheKey }));
  });
}

export const GET: APIRoute = ({ params, props }) => {
  const portal = getPortal();
  const items = portal.itemsBy.responsibleUnit.get(params.id!) ?? [];
  const file = params.file as ItemFile;
  return itemFileResponse(file, itemRowsFile(portal, items, file, { page: urls.unit(params.id!), title: `${props.name}负责的` }));
};
