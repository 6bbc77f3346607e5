/**
 * Following an item by e-mail in Chromium without JavaScript, against the real Node server (its
 * own mail timer, a real SMTP server on loopback): from the item page's link to the form, an error
 * and its summary, the confirmation mail, confirming with its link, unsubscribing with its link.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, indexContent, launchBrowser } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { startSmtp, type TestSmtp } from '../support/smtp.ts';

const FROM = '督察整改公开平台 <noreply@portal.example.org>';
const ITEM = 'wuwei-2020-07';

let server: RunningServer;
let smtp: TestSmtp;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtp();
  // No SITE_URL: the links in the mails are the address the server is served at, which this browser can open.
  server = await startServer({ SMTP_URL: smtp.url, MAIL_FROM: FROM, MAIL_SEND_INTERVAL_SECONDS: '1' });
  indexContent(server);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

async function newPage(javaScriptEnabled = false): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'zh-CN', bypassCSP: true });
  const page = await context.newPage();
  // A step that cannot happen fails at once with its reason, not at the test's timeout.
  page.setDefaultTimeout(10_000);
  return page;
}

describe('following an item without JavaScript', () => {
  it('subscribes from the item page, confirms from the mail, and unsubscribes from the mail', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/items/${ITEM}/`);
    await page.getByRole('link', { name: '订阅本页动态（电子邮件）' }).click();
    await page.waitForURL(new RegExp(`/follow/\\?target=item:${ITEM}$`));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('订阅整改动态（电子邮件）');

    // An address that is not one: the summary links to the field, what was typed is kept.
    await page.getByLabel(/电子邮箱/).fill('reader@');
    await page.getByRole('button', { name: '订阅' }).click();
    expect(await page.title()).toMatch(/^错误：/);
    expect(await page.locator('.error-summary a[href="#f-email"]').textContent()).toBe('请填写正确的电子邮箱，如 name@example.org');
    expect(await page.getByLabel(/电子邮箱/).inputValue()).toBe('reader@');

    await page.getByLabel(/电子邮箱/).fill('reader@example.net');
    await page.getByLabel(/^每日/).check();
    await page.getByRole('button', { name: '订阅' }).click();
    await page.waitForURL(/\/follow\/sent\//);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('请查收确认邮件');
    expect(await page.content()).not.toContain('reader@example.net');

    // The server's own timer sends the confirmation.
    await smtp.waitFor(1, 20_000);
    const [m] = smtp.received;
    expect(m!.envelopeTo).toEqual(['reader@example.net']);
    const confirm = m!.text.match(/http:\/\/127\.0\.0\.1:\d+\/follow\/confirm\/\?token=\S+/)![0];
    const unsubscribe = m!.text.match(/http:\/\/127\.0\.0\.1:\d+\/follow\/unsubscribe\/\?token=\S+/)![0];

    await page.goto(confirm);
    await page.getByRole('button', { name: '确认订阅' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('订阅已确认');

    await page.goto(unsubscribe);
    await page.getByRole('button', { name: '退订' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('已退订');
    // Nothing but the confirmation was mailed.
    expect(smtp.received).toHaveLength(1);
  });

  it('has no WCAG 2.1 A/AA violation in the form with its errors (axe-core, which needs script in the test)', async () => {
    const page = await newPage(true);
    await page.goto(`${server.url}/follow/?target=item:${ITEM}`);
    await page.getByRole('button', { name: '订阅' }).click();
    await page.waitForURL(/\/follow\/$/);
    expect(await page.locator('.error-summary li').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });
});
