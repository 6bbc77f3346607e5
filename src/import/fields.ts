/**
 * The labelled fields of a plan item (整改目标：…) and how they are written.
 *
 * Labels are matched on folded text (normalize.ts), so 整改時限：, 整改时限:
 * and 【整改时限】 are one label. A label needs a colon or brackets unless it
 * stands alone on its line: 责任单位 in running text ("整改责任单位要…") is
 * not a label.
 */
import type { Span } from './normalize.ts';

/** Fields of an item part that carry text (measures are a list, see measures.ts). */
export type TextField = 'target' | 'deadline' | 'responsibleUnits' | 'responsibleLeaders' | 'responsiblePersons' | 'supervisingUnits';
export type FieldKey = TextField | 'measures';

/** Label words as printed (Simplified; Traditional is folded to these), each with its field. */
export const FIELD_LABELS: readonly (readonly [string, FieldKey])[] = [
  ['整改目标', 'target'],
  ['目标任务', 'target'],
  ['整改时限', 'deadline'],
  ['整改期限', 'deadline'],
  ['完成时限', 'deadline'],
  ['责任单位', 'responsibleUnits'],
  ['牵头单位', 'responsibleUnits'],
  ['责任领导', 'responsibleLeaders'],
  ['牵头领导', 'responsibleLeaders'],
  ['责任人员', 'responsiblePersons'],
  ['责任人', 'responsiblePersons'],
  ['督导单位', 'supervisingUnits'],
  ['督办单位', 'supervisingUnits'],
  ['整改措施', 'measures'],
  ['具体措施', 'measures'],
];

/** Chinese names of the fields, for messages and diffs. */
export const FIELD_NAMES: Record<FieldKey, string> = {
  target: '整改目标',
  deadline: '整改时限',
  responsibleUnits: '责任单位',
  responsibleLeaders: '责任领导',
  responsiblePersons: '责任人员',
  supervisingUnits: '督导单位',
  measures: '整改措施',
};

const WORDS = [...FIELD_LABELS]
  .map(([w]) => w)
  .sort((a, b) => b.length - a.length)
  .join('|');
const LABEL = new RegExp(`([【\\[]\\s*)?(${WORDS})(\\s*[】\\]])?\\s*(:)?`, 'g');
const FIELD_OF = new Map(FIELD_LABELS);

/** A label found in a span: where it starts, where its value starts, and the field. */
export interface LabelMatch {
  field: FieldKey;
  /** Folded offset where the label starts. */
  start: number;
  /** Folded offset where the value starts (after the colon). */
  valueStart: number;
}

/** Labels in `span` at or after folded offset `from`, in order. */
export function findLabels(span: Span, from = 0): LabelMatch[] {
  const out: LabelMatch[] = [];
  LABEL.lastIndex = from;
  for (let m = LABEL.exec(span.fold); m; m = LABEL.exec(span.fold)) {
    const bracketed = Boolean(m[1] && m[3]);
    const end = m.index + m[0].length;
    const alone = span.fold.slice(end).trim() === '' && span.fold.slice(0, m.index).trim() === '';
    if (m[4] || bracketed || alone) {
      out.push({ field: FIELD_OF.get(m[2]!)!, start: m.index, valueStart: end });
    }
  }
  return out;
}
