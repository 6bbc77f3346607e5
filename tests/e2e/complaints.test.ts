/**
 * Complaints in Chromium against the real Node server and its embedded
 * database: submit without and with JavaScript, look the code up, a handler
 * takes it through to 已办结, an admin publishes it, the public list shows it.
 */
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, phoneProblems, useServedSite } from '../support/browser.ts';

const site = useServedSite();
const PASSWORD = 'correct horse battery staple';

function createStaff(args: string[]) {
  execFileSync('node_modules/.bin/tsx', ['scripts/staff.ts', 'create', ...args], { env: { ...process.env, DATA_DIR: site.server.dataDir, STAFF_PASSWORD: PASSWORD }, stdio: 'pipe' });
}

beforeAll(() => {
  createStaff(['--username', 'admin', '--name', '管理员', '--role', 'admin']);
  createStaff(['--username', 'housing', '--name', '住建经办', '--role', 'handler', '--unit', 'wuwei-housing']);
});

async function newPage(browser: Browser, javaScriptEnabled: boolean): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

async function fillComplaint(page: Page, description: string) {
  await page.getByLabel('大气', { exact: true }).check();
  await page.locator('#f-region').selectOption('gansu-wuwei-liangzhou');
  await page.locator('#f-address').fill('凉州区某工业园区东侧');
  await page.locator('#f-observedAt').fill('2026-11-01');
  await page.locator('#f-description').fill(description);
  await page.getByLabel('匿名举报', { exact: true }).check();
  await page.getByLabel(/同意在办结后公开/).check();
}

async function staffLogin(page: Page, username: string) {
  await page.goto(`${site.server.url}/staff/login/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/staff\/$/);
}

/** A complaint filed through the JSON API, for a test that starts from one (each test has its own). */
async function fileComplaint(description: string): Promise<{ code: string; reference: string }> {
  const res = await fetch(`${site.server.url}/api/complaints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ pollutionTypes: ['大气'], region: 'gansu-wuwei-liangzhou', address: '凉州区某工业园区东侧', observedAt: '2026-11-01', description, anonymous: true, consentPublish: true }),
  });
  expect(res.status).toBe(201);
  const receipt = (await res.json()) as { trackingCodeDisplay: string; reference: string };
  return { code: receipt.trackingCodeDisplay, reference: receipt.reference };
}

describe('complaints in Chromium', () => {

  it('without JavaScript: errors beside the fields and in a summary, values kept, then a receipt', async () => {
    const { page } = await newPage(site.browser, false);
    await page.goto(`${site.server.url}/complaints/new/`);
    await page.locator('#f-description').fill('太短了');
    await page.getByRole('button', { name: '提交举报' }).click();
    expect(await page.title()).toMatch(/^错误：/);
    await expect.poll(() => page.locator('.error-summary a[href="#f-description"]').textContent()).toBe('问题描述至少 10 个字');
    expect(await page.locator('#f-description-error').textContent()).toContain('问题描述至少 10 个字');
    expect(await page.locator('#f-description').inputValue()).toBe('太短了');
    await fillComplaint(page, '夜间工厂烟囱冒黑烟，气味刺鼻，持续约两小时。');
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.waitForURL(/\/complaints\/track\/[A-Z2-9]{13}\/\?new=1$/);
    expect(await page.getByRole('heading', { name: '举报已提交' }).count()).toBe(1);
    const code = (await page.locator('[data-tracking-code]').textContent())!;
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]$/);
    // The public reference number is shown beside the secret tracking code.
    expect(await page.locator('[data-reference]').textContent()).toMatch(/^\d{4}-\d{6}$/);
  });

  it('with JavaScript: validates in place with the same messages, focuses the summary, then submits', async () => {
    const { page, errors } = await newPage(site.browser, true);
    await page.goto(`${site.server.url}/complaints/new/`);
    let posted = 0;
    page.on('request', (r) => r.method() === 'POST' && posted++);
    await page.getByRole('button', { name: '提交举报' }).click();
    await expect.poll(() => page.locator('.error-summary').isVisible()).toBe(true);
    expect(posted).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    expect(await page.locator('#f-description-error').textContent()).toContain('问题描述至少 10 个字');
    // The summary's link takes the keyboard to the field.
    await page.locator('.error-summary a[href="#f-region"]').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-region');
    await fillComplaint(page, '河道里有大量生活垃圾和死鱼，散发恶臭。');
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.waitForURL(/\/complaints\/track\/[A-Z2-9]{13}\/\?new=1$/);
    expect(await page.locator('[data-tracking-code]').textContent()).toMatch(/^[A-Z2-9]{4}-/);
    expect(errors).toEqual([]);
  });

  it('looks a code up as typed (lower case, no dashes)', async () => {
    const { code, reference } = await fileComplaint('村口垃圾堆放点夜间焚烧垃圾，烟味很重。');
    const { page } = await newPage(site.browser, false);
    await page.goto(`${site.server.url}/complaints/track/`);
    await page.getByLabel('查询码').fill(code.replace(/-/g, '').toLowerCase());
    await page.getByRole('button', { name: '查询' }).click();
    expect(await page.locator('[data-reference]').textContent()).toBe(reference);
    // After the receipt, the secret is only in the reporter's own address, not printed on the page.
    expect(await page.locator('[data-tracking-code]').count()).toBe(0);
    expect(await page.locator('[data-state]').getAttribute('data-state')).toBe('submitted');
  });

  it('staff take it through to 已办结 and publish it; the public list shows it', async () => {
    const { code, reference } = await fileComplaint('夜间工厂烟囱冒黑烟，气味刺鼻，持续约两小时。');
    const { page: admin } = await newPage(site.browser, false);
    await staffLogin(admin, 'admin');
    await admin.getByRole('link', { name: reference }).click();
    await admin.locator('form[data-action="accept"] button').click();
    await admin.locator('form[data-action="assign"] select').selectOption('wuwei-housing');
    await admin.locator('form[data-action="assign"] button').click();
    expect(await admin.locator('[data-state]').getAttribute('data-state')).toBe('assigned');

    const { page: handler } = await newPage(site.browser, false);
    await staffLogin(handler, 'housing');
    await handler.getByRole('link', { name: reference }).click();
    await handler.locator('form[data-action="start"] button').click();
    const close = handler.locator('form[data-action="close"]');
    await close.getByLabel('属实', { exact: true }).check();
    await close.getByLabel('办理答复').fill('经现场核查，该企业除尘设施未运行，已责令整改。');
    await close.locator('button').click();
    expect(await handler.locator('[data-state]').getAttribute('data-state')).toBe('closed');

    await admin.reload();
    const publish = admin.locator('form[data-action="publish"]');
    await publish.getByLabel('交办问题基本情况').fill('反映凉州区某企业夜间排放黑烟。');
    await publish.getByLabel('调查核实情况').fill('经查，该企业锅炉除尘设施未运行。');
    await publish.getByLabel('处理和整改情况').fill('已责令整改。');
    await publish.getByRole('button', { name: '公开' }).click();

    const { page: citizen } = await newPage(site.browser, false);
    await citizen.goto(`${site.server.url}/complaints/`);
    const row = citizen.locator('[data-published-table] tbody tr', { hasText: reference });
    expect(await citizen.content()).not.toContain(code);
    expect(await row.textContent()).toContain('经查，该企业锅炉除尘设施未运行。');
    expect(await row.textContent()).toContain('属实');
    await citizen.goto(`${site.server.url}/complaints/track/${code.replace(/-/g, '')}/`);
    expect(await citizen.locator('[data-state]').getAttribute('data-state')).toBe('closed');
    expect(await citizen.content()).toContain('已责令整改');
  });

  it('a reporter stops the progress mails from the tracking page (a plain form); the page stays axe-clean at 390 px', async () => {
    const res = await fetch(`${site.server.url}/api/complaints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pollutionTypes: ['水'], region: 'gansu-wuwei-liangzhou', address: '凉州区某村', observedAt: '2026-11-01', description: '村口水渠有人倾倒废油，水面漂着油花。', anonymous: false, name: '王五', email: 'wangwu@example.net', notifyByEmail: true, consentPublish: false }),
    });
    expect(res.status).toBe(201);
    const { trackingCode } = (await res.json()) as { trackingCode: string };
    const context = await site.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${site.server.url}/complaints/track/${trackingCode}/`);
    expect(await axeViolations(page)).toEqual([]);
    expect(await phoneProblems(page)).toEqual([]);
    await page.getByRole('button', { name: '停止发送办理进展邮件' }).click();
    await page.waitForURL(/\?mail=stopped$/);
    expect(await page.locator('[data-mail-stopped]').count()).toBe(1);
    expect(await page.getByRole('button', { name: '停止发送办理进展邮件' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(await phoneProblems(page)).toEqual([]);
    await context.close();
  });

  it('staff pages: axe-core clean, and they fit a 390 px phone', async () => {
    const { reference } = await fileComplaint('河道旁的养殖场向河里直排污水，水面发黑。');
    const context = await site.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', bypassCSP: true });
    const page = await context.newPage();
    await staffLogin(page, 'admin');
    await page.getByRole('link', { name: reference }).click();
    await page.waitForURL(/\/staff\/complaints\/[^/]+\/$/);
    const detail = new URL(page.url()).pathname;
    const escalation = ['/staff/escalation/', '/staff/escalation/?list=silent', '/staff/escalation/?list=complaints', '/staff/escalation/?unit=wuwei-2017-plan-units&list=silent'];
    for (const path of ['/staff/', detail, '/staff/objections/', '/staff/outbox/', `/staff/?state=submitted&code=${reference}`, ...escalation]) {
      await page.goto(site.server.url + path);
      expect(await page.locator('h1').count(), path).toBe(1);
      expect(await axeViolations(page), path).toEqual([]);
      expect(await phoneProblems(page), path).toEqual([]);
    }
    await context.close();
  });
});
