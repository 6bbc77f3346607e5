import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPagefind, pagefindUrls, type PagefindApi } from '../support/pagefind.ts';
import { getPortal } from '../../src/content/portal.ts';

describe('the Pagefind index of the built site', () => {
  let pagefind: PagefindApi;
  beforeAll(async () => {
    pagefind = await loadPagefind();
  });

  it('finds, for the 2-character query 污水, every item page whose text contains 污水', async () => {
    const urls = await pagefindUrls(pagefind, '污水');
    const expected = getPortal().items
      .filter((i) => readFileSync(`dist/client/items/${i.item.id}/index.html`, 'utf8').includes('污水'))
      .map((i) => `/items/${i.item.id}/`);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(expected).toContain('/items/wuwei-2020-07/');
    for (const url of expected) expect(urls).toContain(url);
  });

  it('finds the silicon-carbide item for 碳化硅 and the cases for 虚假整改', async () => {
    expect(await pagefindUrls(pagefind, '碳化硅')).toContain('/items/wuwei-2020-17/');
    const cases = await pagefindUrls(pagefind, '假章');
    expect(cases).toContain('/cases/yuanjiang-scanned-fake-seal/');
  });

  it('does not index list pages that only repeat titles', async () => {
    const urls = await pagefindUrls(pagefind, '污水');
    expect(urls).not.toContain('/units/');
    expect(urls).not.toContain('/data/');
  });
});
