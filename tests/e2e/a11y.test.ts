/** axe-core on every kind of page: no WCAG 2.1 A/AA violations. */
import { describe, expect, it } from 'vitest';
import { axeViolations, useServedSite } from '../support/browser.ts';

const site = useServedSite();


const PAGES = [
  '/', '/inspections/', '/inspections/central-2-gansu/', '/plans/wuwei-2020/', '/items/wuwei-2020-10/', '/items/wuwei-2020-17/',
  '/items/wuwei-2017-22/', '/items/wuwei-2017-02/', '/regions/', '/regions/gansu-wuwei/', '/units/', '/units/wuwei-county-govs/', '/topics/', '/cases/',
  '/cases/jilin-backdated-deadline/', '/reporting/gansu-2020-clean-heating-verification/', '/progress/', '/sources/', '/sources/wuwei-2020-plan-notice/',
  '/methodology/', '/data/', '/people/', '/plans/wuwei-2020/groups/routine/', '/search/?q=%E6%B1%A1%E6%B0%B4',
  // Rendered at run time: the complaint form, lookup (with an error), the public list, staff login,
  // an objection page without a notice window (staff pages: tests/e2e/complaints.test.ts, signed in).
  '/complaints/new/', '/complaints/track/?code=abc', '/complaints/', '/staff/login/', '/objections/wuwei-2020-01/', '/corrections/', '/corrections/report/?page=%2Fitems%2Fwuwei-2020-10%2F',
];

async function audit(path: string, plant?: () => void): Promise<string[]> {
  // The audit script is injected by the test, so the page's CSP is bypassed for it alone.
  const context = await site.browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(site.server.url + path);
  await page.waitForLoadState('networkidle');
  if (plant) await page.evaluate(plant);
  const violations = await axeViolations(page);
  await context.close();
  return violations;
}

describe('accessibility (axe-core, WCAG 2.1 A and AA)', () => {
  it.each(PAGES)('%s has no violations', async (path) => {
    expect(await audit(path)).toEqual([]);
  });

  it('reports a violation planted in a page (the audit really runs)', async () => {
    const violations = await audit('/', () => {
      const img = document.createElement('img');
      img.src = '/favicon.svg';
      document.querySelector('main')!.append(img);
    });
    expect(violations.some((v) => v.startsWith('image-alt'))).toBe(true);
  });
});
