/** /plans/<id>/groups/<group>/items.csv and items.json: the rows of one group's items. */
import type { APIRoute } from 'astro';
import { getPortal } from '../../../../../content/portal.ts';
import { listKey } from '../../../../../site/page-keys.ts';
import { ITEM_FILES, itemFileResponse, itemRowsFile, type ItemFile } from '../../../../../site/downloads.ts';
import { urls } from '../../../../../site/urls.ts';

export function getStaticPaths() {
  const portal = getPortal();
  return portal.content.plans.flatMap((p) => {
    const cacheKey = listKey(portal, [portal.itemsBy.plan.get(p.id) ?? []]);
    return p.groups.flatMap((g) => ITEM_FILES.map((file) => ({ params: { id: p.id, group: g.id, file }, props: { title: `${p.title} ${g.title}` }, cacheKey })));
  });
}

export const GET: APIRoute = ({ params, props }) => {
  const portal = getPortal();
  const items = (portal.itemsBy.plan.get(params.id!) ?? []).filter((i) => i.item.group === params.group);
  const file = params.file as ItemFile;
  return itemFileResponse(file, itemRowsFile(portal, items, file, { page: urls.group(params.id!, params.group!), title: props.title as string }));
};
