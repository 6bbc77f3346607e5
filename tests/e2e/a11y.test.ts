/** axe-core on every kind of page: no WCAG 2.1 A/AA violations. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { useServedSite } from '../support/browser.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const site = useServedSite();


const PAGES = [
  '/', '/inspections/', '/inspections/central-2-gansu/', '/plans/wuwei-2020/', '/items/wuwei-2020-10/', '/items/wuwei-2020-17/',
  '/items/wuwei-2017-22/', '/items/wuwei-2017-02/', '/regions/', '/regions/gansu-wuwei/', '/units/', '/units/wuwei-county-govs/', '/topics/', '/cases/',
  '/cases/jilin-backdated-deadline/', '/reporting/gansu-2020-clean-heating-verification/', '/progress/', '/sources/', '/sources/wuwei-2020-plan-notice/',
  '/methodology/', '/data/', '/people/', '/plans/wuwei-2020/groups/routine/', '/search/?q=%E6%B1%A1%E6%B0%B4',
  // Rendered at run time: the complaint form, lookup (with an error), the public list, staff login.
  '/complaints/new/', '/complaints/track/?code=abc', '/complaints/', '/staff/login/',
];

async function audit(path: string, plant?: () => void): Promise<string[]> {
  // The audit script is injected by the test, so the page's CSP is bypassed for it alone.
  const context = await site.browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(site.server.url + path);
  await page.waitForLoadState('networkidle');
  if (plant) await page.evaluate(plant);
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
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
