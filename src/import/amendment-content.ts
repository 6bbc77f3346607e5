/**
 * From a parsed amendment notice to a dated amendment on its plan. The old
 * text of each field comes from the content: the item's own text, or the
 * text an earlier amendment of the same plan gave it — the same rule the
 * content check applies (src/content/integrity.ts), so what the importer
 * writes always passes it.
 */
import type { Content } from '../content/load.ts';
import { fieldText } from '../domain/amend.ts';
import type { Amendment, AmendmentChange, Plan, SourceDocument } from '../model/schemas.ts';
import type { ParsedAmendment } from './amendment-text.ts';
import { foldText } from './normalize.ts';
import { toChineseNumeral } from './numerals.ts';
import type { Problem } from './plan-text.ts';

export interface AmendmentImport {
  plan?: Plan;
  amendment?: Amendment;
  newSources: SourceDocument[];
  notes: string[];
  problems: Problem[];
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && foldText(a) === foldText(b);

/** "补充完善通知": what the notice calls itself, for the citation. */
function shortName(title: string): string {
  const m = /^关于(.+?)《.+》.*?的?(通知|函)$/.exec(title);
  return m ? `${m[1]}${m[2]}` : title;
}

/** Builds the amendment and the plan with it, from a parsed notice. */
export function amendmentRecords(parsed: ParsedAmendment, content: Content, options: { planId?: string; fileName?: string } = {}): AmendmentImport {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const newSources: SourceDocument[] = [];
  const plan =
    content.plans.find((p) => p.id === options.planId) ??
    content.plans.find((p) => same(p.docNumber, parsed.planDocNumber)) ??
    content.plans.find((p) => same(p.title, parsed.planTitle));
  if (!plan) {
    problems.push({ message: `内容中没有被修改的方案《${parsed.planTitle ?? '?'}》${parsed.planDocNumber ? `（${parsed.planDocNumber}）` : ''}；请先导入方案，或用 --plan 指定` });
    return { newSources, notes, problems };
  }
  if (!parsed.title || !parsed.date) problems.push({ message: '没有找到通知标题或落款日期' });
  if (!parsed.issuers.length) problems.push({ message: '没有找到发文机关（落款）' });
  if (!parsed.sections.length) problems.push({ message: '通知中没有找到任何修改（……修改为）' });
  if (problems.length) return { plan, newSources, notes, problems };
  const title = parsed.title!;
  const date = parsed.date!;

  let source = content.sources.find((s) => same(s.title, title));
  if (!source) {
    source = {
      id: `${plan.id}-amendment-notice`,
      title,
      issuers: parsed.issuers,
      issued: date,
      ...(parsed.published ? { published: parsed.published } : {}),
      script: parsed.script,
      ...(options.fileName ? { archivedCopy: options.fileName } : {}),
    };
    newSources.push(source);
    notes.push(`来源 ${source.id} 尚未收录，将加入 sources.yaml（请补充网址 url）`);
  }

  // Where the amendment goes: replacing the same notice if imported before, else in date order.
  const existingIndex = plan.amendments.findIndex((a) => a.date === date && same(a.title, title));
  const existing = plan.amendments[existingIndex];
  const position = existingIndex >= 0 ? existingIndex : plan.amendments.filter((a) => a.date <= date).length;
  const earlier = plan.amendments.slice(0, position).flatMap((a) => a.changes);

  const changes: AmendmentChange[] = [];
  for (const section of parsed.sections) {
    const item = content.items.find((i) => i.plan === plan.id && (i.number === section.item || i.alsoNumbers.includes(section.item)));
    const where = `第${section.ordinal}部分（第${toChineseNumeral(section.item)}项）`;
    if (!item) {
      problems.push({ lines: section.lines, message: `${where}：方案 ${plan.id} 中没有第${section.item}项` });
      continue;
    }
    if (section.restated && item.problem && !foldText(item.problem).startsWith(foldText(section.restated).replace(/。$/, ''))) {
      notes.push(`${where}：通知复述的问题与 ${item.id} 的问题不完全一致，请核对项号`);
    }
    const part = section.part ? item.parts.find((p) => same(p.label, section.part)) : item.parts.length === 1 ? item.parts[0] : undefined;
    if (!part) {
      problems.push({ lines: section.lines, message: section.part ? `${where}：${item.id} 没有分项 ${section.part}` : `${where}：${item.id} 有多个分项，通知未指明修改哪一个` });
      continue;
    }
    for (const c of section.changes) {
      const prior = [...earlier, ...changes].filter((x) => x.item === item.id && x.field === c.field && x.part === part.label).at(-1);
      const before = prior?.after ?? fieldText(part, c.field);
      if (before === undefined) {
        problems.push({ lines: c.lines, message: `${where}：${item.id} 原来没有这一字段，无法记录修改前文本` });
        continue;
      }
      changes.push({
        item: item.id,
        ...(part.label !== undefined && item.parts.length > 1 ? { part: part.label } : {}),
        field: c.field,
        ...(section.opinion ? { opinion: section.opinion } : {}),
        ...(c.explanation ? { explanation: c.explanation } : {}),
        before,
        after: c.after,
      });
    }
  }
  const ordinals = parsed.sections.map((s) => s.ordinal);
  const locator = `${shortName(title)} ${ordinals.length > 1 ? `${ordinals[0]}至${ordinals.at(-1)}` : ordinals[0]}`;
  const amendment: Amendment = {
    id: existing?.id ?? `${plan.id}-${/补充/.test(foldText(title)) ? 'supplement' : 'amendment'}-${date}`,
    title,
    date,
    ...(existing?.docNumber ? { docNumber: existing.docNumber } : {}),
    issuers: parsed.issuers,
    ...(parsed.reviewDocNumber ? { reviewDocNumber: parsed.reviewDocNumber } : {}),
    ...(parsed.reviewBody ? { reviewBody: parsed.reviewBody } : {}),
    ...(parsed.reviewDate ? { reviewDate: parsed.reviewDate } : {}),
    source: { doc: source.id, locator, ...(parsed.quote ? { quote: parsed.quote } : {}) },
    changes,
  };
  const amendments = [...plan.amendments];
  if (existingIndex >= 0) amendments[existingIndex] = amendment;
  else amendments.splice(position, 0, amendment);
  return { plan: { ...plan, amendments }, amendment, newSources, notes, problems };
}
