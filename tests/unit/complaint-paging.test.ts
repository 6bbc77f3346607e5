/** The pager links of the keyset-paged complaint lists (functions/routes/paging.ts). */
import { describe, expect, it } from 'vitest';
import { pagerOf } from '../../functions/routes/paging.ts';

const page = (over: Partial<{ total: number; capped: boolean; prev: string; next: string }>) => ({ rows: [], total: 120, capped: false, ...over });

describe('pagerOf', () => {
  it('links the first page onwards only, keeping the filters', () => {
    expect(pagerOf('/complaints/', { region: 'gansu' }, 1, page({ next: '2026-000070' }), 50)).toEqual({
      page: 1, pages: 3, prev: undefined, next: '/complaints/?region=gansu&after=2026-000070&page=2',
    });
  });

  it('links a middle page both ways, and page 2 back to the list’s own address', () => {
    expect(pagerOf('/staff/', { state: 'closed' }, 2, page({ prev: '2026-000069', next: '2026-000020' }), 50)).toEqual({
      page: 2, pages: 3, prev: '/staff/?state=closed', next: '/staff/?state=closed&after=2026-000020&page=3',
    });
    expect(pagerOf('/staff/', {}, 3, page({ prev: '2026-000019' }), 50).prev).toBe('/staff/?before=2026-000019&page=2');
    expect(pagerOf('/staff/', {}, 2, page({ prev: '2026-000069' }), 50).prev).toBe('/staff/');
  });

  it('numbers a page without a previous one as the first, whatever the address said', () => {
    expect(pagerOf('/complaints/', {}, 7, page({ next: '2026-000070' }), 50).page).toBe(1);
  });

  it('leaves the number of pages unknown when the count was capped', () => {
    expect(pagerOf('/complaints/', {}, 4, page({ total: 10_000, capped: true, prev: 'a', next: 'b' }), 50).pages).toBeUndefined();
  });
});
