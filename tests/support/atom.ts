/**
 * Checks an Atom document against RFC 4287's required elements with a strict
 * XML parser (saxes): well-formed XML; atom:feed with exactly one id, title and
 * updated, an author (on the feed or on every entry), a self link; each entry
 * with exactly one id, title and updated and a link; ids absolute IRIs and
 * unique; dates RFC 3339. Returns the problems found (empty when valid).
 */
import { SaxesParser } from 'saxes';

const ATOM = 'http://www.w3.org/2005/Atom';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface Node {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  text: string;
  children: Node[];
}

export function parseXml(xml: string): Node {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Node[] = [];
  let root: Node | undefined;
  let error: Error | undefined;
  parser.on('error', (e) => (error ??= e));
  parser.on('opentag', (tag) => {
    const node: Node = { name: tag.local, ns: tag.uri, attrs: Object.fromEntries(Object.entries(tag.attributes).map(([k, a]) => [k, a.value])), text: '', children: [] };
    stack.at(-1)?.children.push(node);
    stack.push(node);
    root ??= node;
  });
  parser.on('text', (text) => {
    if (stack.length) stack.at(-1)!.text += text;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  if (error) throw error;
  if (!root) throw new Error('empty document');
  return root;
}

export interface AtomSummary {
  id: string;
  title: string;
  entries: { id: string; title: string; updated: string; category?: string | undefined }[];
}

export function checkAtom(xml: string): { problems: string[]; feed?: AtomSummary } {
  const problems: string[] = [];
  let feed: Node;
  try {
    feed = parseXml(xml);
  } catch (error) {
    return { problems: [`not well-formed XML: ${(error as Error).message}`] };
  }
  if (feed.name !== 'feed' || feed.ns !== ATOM) return { problems: ['root element is not atom:feed'] };
  const kids = (n: Node, name: string) => n.children.filter((c) => c.name === name && c.ns === ATOM);
  const one = (n: Node, name: string, where: string) => {
    const found = kids(n, name);
    if (found.length !== 1) problems.push(`${where}: ${found.length} atom:${name} elements (exactly one required)`);
    return found[0];
  };
  const iri = (value: string | undefined, where: string) => {
    try {
      new URL(value ?? '');
    } catch {
      problems.push(`${where}: id is not an absolute IRI: ${value}`);
    }
  };
  const date = (n: Node | undefined, where: string) => {
    if (n && !RFC3339.test(n.text.trim())) problems.push(`${where}: updated is not an RFC 3339 date-time: ${n.text}`);
  };
  const id = one(feed, 'id', 'feed');
  iri(id?.text.trim(), 'feed');
  const title = one(feed, 'title', 'feed');
  date(one(feed, 'updated', 'feed'), 'feed');
  const feedAuthor = kids(feed, 'author');
  for (const a of feedAuthor) if (kids(a, 'name').length !== 1) problems.push('feed: author without exactly one name');
  if (!kids(feed, 'link').some((l) => l.attrs.rel === 'self' && l.attrs.href)) problems.push('feed: no link rel="self"');
  const entries = kids(feed, 'entry');
  const ids = new Set<string>();
  const summary: AtomSummary = { id: id?.text.trim() ?? '', title: title?.text.trim() ?? '', entries: [] };
  entries.forEach((e, k) => {
    const where = `entry ${k + 1}`;
    const eid = one(e, 'id', where)?.text.trim();
    iri(eid, where);
    if (eid && ids.has(eid)) problems.push(`${where}: duplicate id ${eid}`);
    if (eid) ids.add(eid);
    const etitle = one(e, 'title', where)?.text.trim();
    if (etitle === '') problems.push(`${where}: empty title`);
    const updated = one(e, 'updated', where);
    date(updated, where);
    if (feedAuthor.length === 0 && kids(e, 'author').length === 0) problems.push(`${where}: no author (and none on the feed)`);
    // RFC 4287 §4.1.2: an entry without atom:content must have an alternate link.
    if (kids(e, 'content').length === 0 && !kids(e, 'link').some((l) => (l.attrs.rel ?? 'alternate') === 'alternate')) problems.push(`${where}: no content and no alternate link`);
    summary.entries.push({ id: eid ?? '', title: etitle ?? '', updated: updated?.text.trim() ?? '', category: kids(e, 'category')[0]?.attrs.term });
  });
  return { problems, feed: summary };
}
