/**
 * Pages rendered at run time inside the site's own frame. The frames are
 * built by Astro with the static site (src/pages/shells/[section].astro), so
 * navigation, stylesheet and scripts are the same as on every static page;
 * this module puts a title and a body into one.
 */
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ShellSection = 'complaints' | 'complaint-form' | 'staff';

/** Reads a built frame: from dist/client/ in Node, from the static assets binding on Workers. */
export type ShellSource = (section: ShellSection) => Promise<string>;

const TITLE_MARK = '__PAGE_TITLE__';
const SLOT_MARK = /<div data-page-slot(?:="")?\s*><\/div>/;

/** Caches the frames for the life of the process (they change only with a new build). */
export function cachedShells(read: ShellSource): ShellSource {
  const cache = new Map<ShellSection, Promise<string>>();
  return (section) => {
    let page = cache.get(section);
    if (!page) {
      page = read(section).then((text) => {
        if (!text.includes(TITLE_MARK) || !SLOT_MARK.test(text)) throw new Error(`页面框架 ${section} 缺少占位标记`);
        return text;
      });
      page.catch(() => cache.delete(section));
      cache.set(section, page);
    }
    return page;
  };
}

/** A plain frame for when the built one cannot be read (e.g. the site was not built). */
const FALLBACK = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${TITLE_MARK} - 督察整改公开平台</title></head><body><main id="main"><div data-page-slot></div></main></body></html>`;

export async function renderPage(
  c: Context,
  shells: ShellSource | undefined,
  page: { section: ShellSection; title: string; body: HtmlEscapedString | Promise<HtmlEscapedString>; status?: ContentfulStatusCode },
) {
  let frame = FALLBACK;
  if (shells) {
    try {
      frame = await shells(page.section);
    } catch (error) {
      console.error(`页面框架读取失败：${(error as Error).message}`);
    }
  }
  const title = (await html`${page.title}`).toString();
  const body = (await page.body).toString();
  const [before, after] = frame.replace(TITLE_MARK, () => title).split(SLOT_MARK) as [string, string];
  c.header('Cache-Control', 'no-store');
  return c.html(before + body + after, page.status ?? 200);
}

export { html, raw };
