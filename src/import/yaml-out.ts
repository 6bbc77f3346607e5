/**
 * Writing content files the way the hand-made ones are written.
 *
 * Records are rebuilt in the key order of the schemas (which is the order of
 * every content file) and printed by the `yaml` library with no line folding,
 * which reproduces the existing files byte for byte. A file that already
 * exists is patched in place instead — only the nodes whose value changes
 * are replaced, list entries are appended — so its comments and its flow
 * style (`regions: [gansu-wuwei]`) survive an import.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isSeq, parseDocument, stringify, type Document, type Node as YamlNode } from 'yaml';
import type { Amendment, Item, ItemPart, Plan, SourceDocument, StatusEntry } from '../model/schemas.ts';

/** Print options matching the content files. */
export const YAML_OPTIONS = { lineWidth: 0, flowCollectionPadding: false } as const;

type Rec = Record<string, unknown>;

/** `record` with its keys in `order`, dropping undefined values and the empty lists in `dropEmpty`. */
function ordered<T extends object>(record: T, order: readonly string[], dropEmpty: readonly string[] = []): T {
  const r = record as Rec;
  const out: Rec = {};
  for (const key of order) {
    const v = r[key];
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0 && dropEmpty.includes(key)) continue;
    out[key] = v;
  }
  for (const key of Object.keys(r)) if (!(key in out) && r[key] !== undefined && !order.includes(key)) out[key] = r[key];
  return out as T;
}

const SOURCE_REF = ['doc', 'locator', 'quote'];

function orderPart(p: ItemPart): ItemPart {
  return ordered(
    {
      ...p,
      responsibleUnits: p.responsibleUnits && ordered(p.responsibleUnits, ['text', 'units']),
      responsibleLeaders: p.responsibleLeaders && ordered(p.responsibleLeaders, ['text', 'names']),
      responsiblePersons: p.responsiblePersons && ordered(p.responsiblePersons, ['text', 'names']),
      supervisingUnits: p.supervisingUnits && ordered(p.supervisingUnits, ['text', 'units']),
      measures: p.measures.map((m) => ordered(m, ['label', 'text'])),
    },
    ['label', 'problem', 'target', 'deadline', 'responsibleUnits', 'responsibleLeaders', 'responsiblePersons', 'supervisingUnits', 'measures'],
  );
}

/** A status entry in file order. */
export function orderStatus(s: StatusEntry): StatusEntry {
  return ordered({ ...s, source: ordered(s.source, SOURCE_REF) }, ['date', 'status', 'part', 'note', 'evidence', 'source']);
}

/** An item in file order. */
export function orderItem(item: Item): Item {
  return ordered(
    {
      ...item,
      parts: item.parts.map(orderPart),
      statusHistory: item.statusHistory.map(orderStatus),
      source: ordered(item.source, SOURCE_REF),
    },
    ['id', 'plan', 'group', 'number', 'alsoNumbers', 'problem', 'gloss', 'parts', 'regions', 'topics', 'statusHistory', 'signOff', 'relatedItems', 'source', 'note'],
    ['alsoNumbers'],
  );
}

/** An amendment in file order. */
export function orderAmendment(a: Amendment): Amendment {
  return ordered(
    {
      ...a,
      source: ordered(a.source, SOURCE_REF),
      changes: a.changes.map((c) => ordered(c, ['item', 'part', 'field', 'opinion', 'explanation', 'before', 'after'])),
    },
    ['id', 'title', 'date', 'docNumber', 'issuers', 'reviewDocNumber', 'reviewBody', 'reviewDate', 'source', 'changes'],
  );
}

/** A plan in file order. */
export function orderPlan(plan: Plan): Plan {
  return ordered(
    {
      ...plan,
      groups: plan.groups.map((g) => ordered(g, ['id', 'title', 'declaredCount'])),
      amendments: plan.amendments.map(orderAmendment),
      source: ordered(plan.source, SOURCE_REF),
    },
    ['id', 'title', 'inspection', 'docNumber', 'issuers', 'issued', 'published', 'region', 'groups', 'amendments', 'source', 'note'],
    ['amendments'],
  );
}

/** A source document in file order. */
export function orderSource(s: SourceDocument): SourceDocument {
  return ordered(s, ['id', 'title', 'docNumber', 'issuers', 'issued', 'published', 'publishedBy', 'url', 'script', 'archivedCopy', 'note']);
}

/** A new one-record file: an optional comment line, then the record. */
export function newFileText(record: object, comment?: string): string {
  return (comment ? `# ${comment}\n` : '') + stringify(record, YAML_OPTIONS);
}

/** Entries appended to a list file (sources.yaml), keeping the file as it is above them. */
export function appendToList(raw: string, records: readonly object[]): string {
  if (!records.length) return raw;
  return (raw.endsWith('\n') || raw === '' ? raw : `${raw}\n`) + stringify(records, YAML_OPTIONS);
}

function keyOf(pair: { key: unknown }): string {
  const k = pair.key as { value?: unknown } | string;
  return String(typeof k === 'object' && k !== null && 'value' in k ? k.value : k);
}

/** Replaces `node`'s value with `value`, touching only what differs. */
function patch(doc: Document, node: YamlNode | null | undefined, value: unknown): YamlNode {
  if (isMap(node) && value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Rec;
    const keys = Object.keys(v);
    for (const pair of [...node.items]) if (!(keyOf(pair) in v)) node.delete(keyOf(pair));
    for (const key of keys) {
      const current = node.get(key, true) as YamlNode | undefined;
      if (current !== undefined && isDeepStrictEqual(current.toJS(doc), v[key])) continue;
      node.set(key, patch(doc, current ?? null, v[key]));
    }
    // New keys were appended: put every key back in the record's order.
    node.items.sort((a, b) => keys.indexOf(keyOf(a)) - keys.indexOf(keyOf(b)));
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    const old = node.toJS(doc) as unknown[];
    if (old.length <= value.length && old.every((x, i) => isDeepStrictEqual(x, value[i]))) {
      // Appending: keep the entries there are, add the new ones (block style once it has entries).
      if (old.length === 0 && value.length) node.flow = false;
      for (const v of value.slice(old.length)) node.items.push(doc.createNode(v));
      return node;
    }
  }
  return doc.createNode(value) as YamlNode;
}

/** The text of an existing one-record file after changing its record to `record`. */
export function patchFileText(raw: string, record: object): string {
  const doc = parseDocument(raw);
  doc.contents = patch(doc, doc.contents as YamlNode, record) as typeof doc.contents;
  return doc.toString(YAML_OPTIONS);
}
