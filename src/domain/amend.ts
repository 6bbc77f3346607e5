/**
 * Amendments: a plan's dated revisions of item fields. The original text is
 * never overwritten in content; the current text of a field is the original
 * with every amendment up to the as-of date applied in date order.
 */
import type { Amendment, AmendableField, Item, ItemPart, Measure } from '../model/schemas.ts';

/** One applied change, for an item page's revision list and the open data. */
export interface FieldRevision {
  amendmentId: string;
  date: string;
  item: string;
  part?: string | undefined;
  field: AmendableField;
  opinion?: string | undefined;
  explanation?: string | undefined;
  before: string;
  after: string;
}

const MEASURE_LABEL = /^(\([一二三四五六七八九十]+\)|（[一二三四五六七八九十]+）|\d+[.、．])/;

/** Measures as one text block, a measure a line: the form amendments quote them in. */
export function measuresToText(measures: readonly Measure[]): string {
  return measures.map((m) => (m.label ?? '') + m.text).join('\n');
}

/** Reads a measures text block (one measure a line) back into measures. */
export function textToMeasures(text: string): Measure[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const m = MEASURE_LABEL.exec(line);
      return m ? { label: m[1]!, text: line.slice(m[1]!.length) } : { text: line };
    });
}

/** The text of an amendable field of a part, in the form amendments quote it. */
export function fieldText(part: ItemPart, field: AmendableField): string | undefined {
  switch (field) {
    case 'target':
      return part.target;
    case 'deadline':
      return part.deadline;
    case 'measures':
      return part.measures.length ? measuresToText(part.measures) : undefined;
    case 'responsibleUnits':
      return part.responsibleUnits?.text;
  }
}

function withField(part: ItemPart, field: AmendableField, text: string): ItemPart {
  switch (field) {
    case 'target':
      return { ...part, target: text };
    case 'deadline':
      return { ...part, deadline: text };
    case 'measures':
      return { ...part, measures: textToMeasures(text) };
    case 'responsibleUnits':
      // Unit references of an amended unit list are not re-derived; the text is authoritative.
      return { ...part, responsibleUnits: { text, units: part.responsibleUnits?.units ?? [] } };
  }
}

/** Every change the amendments make to one item, oldest first, up to `asOf`. */
export function revisionsOf(item: Item, amendments: readonly Amendment[], asOf: string): FieldRevision[] {
  return [...amendments]
    .filter((a) => a.date <= asOf)
    .sort((a, b) => a.date.localeCompare(b.date))
    .flatMap((a) =>
      a.changes
        .filter((c) => c.item === item.id)
        .map((c) => ({
          amendmentId: a.id,
          date: a.date,
          item: c.item,
          part: c.part,
          field: c.field,
          opinion: c.opinion,
          explanation: c.explanation,
          before: c.before,
          after: c.after,
        })),
    );
}

/** The item's parts with every revision applied. */
export function currentParts(item: Item, revisions: readonly FieldRevision[]): ItemPart[] {
  return item.parts.map((part) =>
    revisions
      .filter((r) => r.part === undefined || r.part === part.label)
      .reduce((p, r) => withField(p, r.field, r.after), part),
  );
}
