/**
 * Cite lines: how to cite what the portal holds. A citation names only what
 * a source states — a part no source gives (issuer, date, number) is left out,
 * never filled with a placeholder — and a plan whose own text the portal does
 * not hold is not cited: the document that reports the item is.
 */
import type { Portal, PortalItem } from '../content/portal.ts';
import { formatDateZh } from '../domain/dates.ts';
import type { Plan, SourceDocument } from '../model/schemas.ts';
import { bookTitle } from './format.ts';
import { absoluteUrl } from './site-url.ts';
import { urls } from './urls.ts';

interface Citable {
  title: string;
  docNumber?: string | undefined;
  issuers: readonly string[];
  issued?: string | undefined;
}

/** 《标题》（文号），发文单位，日期，位置 — each part only where known. */
export function citeDocument(doc: Citable, locator?: string | undefined): string {
  const head = bookTitle(doc.title) + (doc.docNumber ? `（${doc.docNumber}）` : '');
  const parts = [head];
  if (doc.issuers.length) parts.push(doc.issuers.join('、'));
  if (doc.issued) parts.push(formatDateZh(doc.issued));
  if (locator) parts.push(locator);
  return `${parts.join('，')}。`;
}

export interface ItemCitation {
  /** The full cite line, ready to copy. */
  text: string;
  /** The document cited: the plan, or the source document when the plan's text is not held. */
  cites: 'plan' | 'source';
  /** The source document the item rests on, for a link to /sources/#id. */
  source: SourceDocument | undefined;
  /** Why the plan itself is not cited, when it is not. */
  note?: string | undefined;
  pageUrl: string;
}

export function planIsHeld(plan: Plan): boolean {
  return plan.textHeld !== false;
}

/** The cite line of an item page. */
export function itemCitation(portal: Portal, p: PortalItem): ItemCitation {
  const pageUrl = absoluteUrl(urls.item(p.item.id));
  const source = portal.source(p.item.source.doc);
  const via = `转引自：督察整改公开平台，${pageUrl}，数据截至${formatDateZh(portal.asOf)}。`;
  if (planIsHeld(p.plan) || !source) {
    return { text: `${citeDocument(p.plan, p.item.source.locator)}${via}`, cites: 'plan', source, pageUrl };
  }
  return {
    text: `${citeDocument(source, p.item.source.locator)}${via}`,
    cites: 'source',
    source,
    note: `本项所属的${bookTitle(p.plan.title)}${p.plan.docNumber ? `（${p.plan.docNumber}）` : ''}原文本站未收录，以上引用的是载有本项的文件。`,
    pageUrl,
  };
}
