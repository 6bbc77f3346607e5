/**
 * Checks that a page carries user-supplied text as text, never as markup: shared by the fuzz test
 * (nothing reflected) and the escaping test (everything stored and shown). The page is parsed as a
 * browser parses it (parse5, the HTML standard's algorithm); what matters is the tree, not how the
 * text was escaped.
 */
import { parse } from 'parse5';

/** Markup a resident, a staff member or an attacker might type into a text field. */
export const HTML_PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</textarea><script>alert(2)</script>',
  '</title><script>alert(3)</script>',
  '<iframe src="javascript:alert(4)"></iframe>',
  '<a href="javascript:alert(5)">x</a>',
  '<!--<script>alert(6)//-->',
  '<style>@import "//evil.example/x.css"</style>',
  ']]><x>cdata</x>',
];

interface Node {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
  content?: Node;
  value?: string;
  data?: string;
}

function* walk(node: Node, inHead = false): Generator<{ node: Node; inHead: boolean }> {
  yield { node, inHead };
  const head = inHead || node.tagName === 'head';
  for (const child of node.childNodes ?? []) yield* walk(child, head);
  if (node.content) yield* walk(node.content, head);
}

/** Elements no page of the portal has of its own: where one appears, typed text became markup. */
const FOREIGN = new Set(['iframe', 'svg', 'img', 'x', 'object', 'embed', 'math', 'base']);

/**
 * What is wrong with a page, if anything: a script element other than the site's own bundles
 * (module scripts from /_astro/), an element the portal never writes (iframe, svg, img …), a style
 * element outside the head, an event-handler attribute, a javascript: URL in a link, source or form,
 * or a comment holding script.
 */
export function markupProblems(page: string): string[] {
  const problems: string[] = [];
  for (const { node, inHead } of walk(parse(page) as unknown as Node)) {
    if (node.nodeName === '#comment' && /<script|alert\(/i.test(node.data ?? '')) problems.push(`comment: ${node.data?.slice(0, 80)}`);
    if (!node.tagName) continue;
    const attr = (name: string) => node.attrs?.find((a) => a.name === name)?.value;
    if (node.tagName === 'script') {
      const own = attr('type') === 'module' && (attr('src') ?? '').startsWith('/_astro/') && !(node.childNodes ?? []).length;
      if (!own) problems.push('script element');
    }
    if (FOREIGN.has(node.tagName)) problems.push(`${node.tagName} element`);
    if (node.tagName === 'style' && !inHead) problems.push('style element in the body');
    for (const a of node.attrs ?? []) {
      if (/^on/i.test(a.name)) problems.push(`event-handler attribute: <${node.tagName} ${a.name}>`);
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && /^\s*javascript:/i.test(a.value)) problems.push(`javascript: URL: <${node.tagName} ${a.name}>`);
    }
  }
  return problems;
}

/** Whether the text is in the page as data: whole, in one text node or one attribute value of the parsed page. */
export function shownAsText(page: string, text: string): boolean {
  for (const { node } of walk(parse(page) as unknown as Node)) {
    if (node.nodeName === '#text' && node.value?.includes(text)) return true;
    if (node.attrs?.some((a) => a.value.includes(text))) return true;
  }
  return false;
}

/** Text content of a node, whitespace collapsed. */
function textOf(node: Node): string {
  let out = '';
  for (const { node: n } of walk(node)) if (n.nodeName === '#text') out += n.value ?? '';
  return out.replace(/\s+/g, ' ').trim();
}

/** The page's tables as a reader sees them: the caption and each body row's cell texts. */
export function tablesOf(page: string): { caption: string; rows: string[][] }[] {
  const out: { caption: string; rows: string[][] }[] = [];
  for (const { node } of walk(parse(page) as unknown as Node)) {
    if (node.tagName !== 'table') continue;
    const caption = (node.childNodes ?? []).find((n) => n.tagName === 'caption');
    const rows: string[][] = [];
    for (const { node: tr } of walk(node)) {
      if (tr.tagName !== 'tr') continue;
      const cells = (tr.childNodes ?? []).filter((n) => n.tagName === 'td');
      if (cells.length) rows.push(cells.map(textOf));
    }
    out.push({ caption: caption ? textOf(caption) : '', rows });
  }
  return out;
}

/** The page's form controls with their state: id, name, type, value, whether checked or selected. */
export function controlsOf(page: string): { id?: string | undefined; name?: string | undefined; type?: string | undefined; value: string; checked: boolean; label?: string | undefined }[] {
  const doc = parse(page) as unknown as Node;
  const labels = new Map<string, string>();
  for (const { node } of walk(doc)) {
    const target = node.tagName === 'label' ? node.attrs?.find((a) => a.name === 'for')?.value : undefined;
    if (target) labels.set(target, textOf(node));
  }
  const out: ReturnType<typeof controlsOf> = [];
  for (const { node } of walk(doc)) {
    if (!node.tagName || !['input', 'textarea', 'select'].includes(node.tagName)) continue;
    const attr = (name: string) => node.attrs?.find((a) => a.name === name)?.value;
    const id = attr('id');
    let value = attr('value') ?? '';
    if (node.tagName === 'textarea') value = (node.childNodes ?? []).map((n) => n.value ?? '').join('');
    if (node.tagName === 'select') {
      const selected = [...walk(node)].map((w) => w.node).find((n) => n.tagName === 'option' && n.attrs?.some((a) => a.name === 'selected'));
      value = selected ? (selected.attrs?.find((a) => a.name === 'value')?.value ?? textOf(selected)) : '';
    }
    out.push({ id, name: attr('name'), type: attr('type') ?? node.tagName, value, checked: attr('checked') !== undefined, label: id ? labels.get(id) : undefined });
  }
  return out;
}

/** The frame a page is drawn in, as the parser reads it: what every page of the site must have. */
export function frameOf(page: string) {
  const doc = parse(page) as unknown as Node;
  const all = [...walk(doc)].map((w) => w.node);
  const attr = (n: Node, name: string) => n.attrs?.find((a) => a.name === name)?.value;
  const meta = (key: string) => all.find((n) => n.tagName === 'meta' && (attr(n, 'property') === key || attr(n, 'name') === key));
  const html = all.find((n) => n.tagName === 'html');
  const title = all.find((n) => n.tagName === 'title');
  return {
    lang: html ? attr(html, 'lang') : undefined,
    title: title ? textOf(title) : undefined,
    canonical: attr(all.find((n) => n.tagName === 'link' && attr(n, 'rel') === 'canonical') ?? ({} as Node), 'href'),
    ogTitle: attr(meta('og:title') ?? ({} as Node), 'content'),
    ogDescription: attr(meta('og:description') ?? ({} as Node), 'content'),
    robots: attr(meta('robots') ?? ({} as Node), 'content'),
    /** The site's navigation, skip link and stylesheet: the layout, not a bare page. */
    navigation: all.some((n) => n.tagName === 'nav' && attr(n, 'aria-label') === '主导航'),
    skipLink: all.some((n) => n.tagName === 'a' && attr(n, 'href') === '#main'),
    stylesheet: all.some((n) => n.tagName === 'link' && attr(n, 'rel') === 'stylesheet' && (attr(n, 'href') ?? '').startsWith('/_astro/')),
    headings: all.filter((n) => n.tagName === 'h1').map(textOf),
  };
}

/** Elements whose text runs on inside a line (their text joins the text around them). */
const INLINE = new Set(['a', 'abbr', 'b', 'bdi', 'cite', 'data', 'dfn', 'em', 'i', 'kbd', 'mark', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'wbr']);

/**
 * The text of a page's body as a reader reads it, block by block (a line per block element, inline
 * elements run on), leaving out every element `skip` says to (with all it holds).
 */
export function bodyText(page: string, skip: (tagName: string, attr: (name: string) => string | undefined) => boolean): string {
  const doc = parse(page) as unknown as Node;
  const body = [...walk(doc)].map((w) => w.node).find((n) => n.tagName === 'body');
  const out: string[] = [];
  const visit = (node: Node) => {
    if (node.nodeName === '#text') {
      out.push(node.value ?? '');
      return;
    }
    if (node.tagName && skip(node.tagName, (name) => node.attrs?.find((a) => a.name === name)?.value)) {
      out.push(' ');
      return;
    }
    const block = node.tagName !== undefined && !INLINE.has(node.tagName);
    if (block) out.push('\n');
    for (const child of node.childNodes ?? []) visit(child);
    if (block) out.push('\n');
  };
  if (body) visit(body);
  return out.join('');
}
