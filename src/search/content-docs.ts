/**
 * The portal's published content as search documents: plans (their document
 * numbers and amendments), items (with their parts, measures and status
 * notes), the parts of multi-part items, amendments, cases, reporting rounds
 * with each region's outcome, and progress summaries. Built from the read model (`src/content/portal.ts`), so
 * search shows the same current text, statuses and URLs as the pages.
 *
 * Text goes in verbatim, in the source's script; folding happens at indexing
 * (`tokenize.ts`). Facet values are ids; `facetLabels` gives their names.
 */
import type { Portal, PortalItem } from '../content/portal.ts';
import { STATUSES, UNDISCLOSED, statusLabel } from '../domain/status.ts';
import { FIELD_LABELS, OUTCOME_LABELS } from '../model/labels.ts';
import type { ItemPart, StatusEntry } from '../model/schemas.ts';
import { urls } from '../site/urls.ts';
import { KIND_LABELS, type FacetLabels, type SearchDocument, type SearchField } from './index-store.ts';

/** The source name under which content documents are stored (`replaceDocuments`). */
export const CONTENT_SOURCE = 'content';

/** The given regions and every region above them, for the region facet. */
export function regionKeys(portal: Portal, regionIds: readonly string[]): string[] {
  return [...new Set(regionIds.flatMap((id) => portal.regionTree.selfAndAncestorIds(id)))];
}

type Field = Omit<SearchField, 'column'>;
const problem = (f: Field): SearchField => ({ ...f, column: 'problem' });
const body = (f: Field): SearchField => ({ ...f, column: 'body' });

/** Drops fields without text: the pages show those as 未公开, search has nothing to find. */
const present = (fields: (SearchField | false | undefined)[]): SearchField[] =>
  fields.filter((f): f is SearchField => !!f && f.text.trim() !== '');

/** The date of the document a record rests on, for records without a date of their own. */
function sourceDate(portal: Portal, doc: string): string | undefined {
  const s = portal.source(doc);
  return s?.issued ?? s?.published;
}

function statusFields(entries: readonly StatusEntry[], keyPrefix: string): SearchField[] {
  return present(
    entries.map((h, k) => h.note !== undefined && body({ key: `${keyPrefix}status-${k}`, label: `进展（${h.date} ${statusLabel(h.status)}）`, text: h.note })),
  );
}

/** The fields of one part; `prefix` names the part in labels when an item has several. */
function partFields(part: ItemPart, keyPrefix: string, prefix: string): SearchField[] {
  return present([
    part.problem !== undefined && problem({ key: `${keyPrefix}problem`, label: `${prefix}问题`, text: part.problem }),
    part.target !== undefined && body({ key: `${keyPrefix}target`, label: `${prefix}整改目标`, text: part.target }),
    part.deadline !== undefined && body({ key: `${keyPrefix}deadline`, label: `${prefix}整改时限`, text: part.deadline }),
    part.responsibleUnits && body({ key: `${keyPrefix}responsible-units`, label: `${prefix}责任单位`, text: part.responsibleUnits.text }),
    part.responsibleLeaders && body({ key: `${keyPrefix}responsible-leaders`, label: `${prefix}责任领导`, text: part.responsibleLeaders.text }),
    part.responsiblePersons && body({ key: `${keyPrefix}responsible-persons`, label: `${prefix}责任人员`, text: part.responsiblePersons.text }),
    part.supervisingUnits && body({ key: `${keyPrefix}supervising-units`, label: `${prefix}督导单位`, text: part.supervisingUnits.text }),
    ...part.measures.map((m, j) => body({ key: `${keyPrefix}measure-${j}`, label: `${prefix}整改措施${m.label ?? ''}`, text: m.text })),
  ]);
}

function itemFacets(p: PortalItem): SearchDocument['facets'] {
  return {
    inspection: [p.plan.inspection],
    plan: [p.plan.id],
    region: p.regionKeys,
    unit: p.responsibleUnits,
    topic: p.item.topics,
  };
}

const itemDate = (portal: Portal, p: PortalItem) => p.plan.issued ?? sourceDate(portal, p.item.source.doc);
const partName = (part: ItemPart, k: number) => `分项${part.label ?? k + 1}`;

/**
 * One document per item with all its text (problem, every part's fields and
 * measures as amended, status notes), and one per part of a multi-part item,
 * so a match inside one part leads to that part. Single-part items get no
 * part document: it would repeat the item word for word.
 */
function itemDocuments(portal: Portal, p: PortalItem): SearchDocument[] {
  const { item } = p;
  const multi = p.parts.length > 1;
  const hasText = item.problem !== undefined || item.gloss !== undefined;
  const docs: SearchDocument[] = [
    {
      id: `item:${item.id}`,
      source: CONTENT_SOURCE,
      kind: 'item',
      title: hasText ? `${p.numberLabel} ${p.title}` : p.numberLabel,
      url: urls.item(item.id),
      date: itemDate(portal, p),
      fields: present([
        item.problem !== undefined && problem({ key: 'problem', label: '反馈问题', text: item.problem }),
        item.problem === undefined && item.gloss !== undefined && problem({ key: 'gloss', label: '问题（摘要）', text: item.gloss }),
        ...p.parts.flatMap((part, k) => partFields(part, multi ? `part-${k}-` : '', multi ? `${partName(part, k)} ` : '')),
        ...statusFields(item.statusHistory, ''),
        item.note !== undefined && body({ key: 'note', label: '本平台说明', text: item.note }),
      ]),
      facets: { ...itemFacets(p), status: [p.assessment.status] },
    },
  ];
  if (multi) {
    p.parts.forEach((part, k) => {
      docs.push({
        id: `part:${item.id}:${k}`,
        source: CONTENT_SOURCE,
        kind: 'part',
        title: `${p.numberLabel} ${partName(part, k)}`,
        url: `${urls.item(item.id)}#part-${k}`,
        date: itemDate(portal, p),
        fields: [
          ...partFields(part, '', ''),
          ...statusFields(item.statusHistory.filter((h) => h.part === part.label), ''),
        ],
        facets: { ...itemFacets(p), status: [p.assessment.parts[k]!.status] },
      });
    });
  }
  return docs;
}

/**
 * One document per plan: its title, its document number (文号) and those of
 * its amendments and their reviews, so that a search for 武办字〔2020〕47号
 * or 甘整改函 finds the plan. Its title is also what item, part and
 * amendment results are named by (`index-store.ts`, `planOf`).
 */
function planDocuments(portal: Portal): SearchDocument[] {
  return portal.content.plans.map((plan) => ({
    id: `plan:${plan.id}`,
    source: CONTENT_SOURCE,
    kind: 'plan',
    title: plan.title,
    url: urls.plan(plan.id),
    // Only the plan's own date: a plan known from a later document (wuwei-2017) was not issued then.
    date: plan.issued,
    fields: present([
      plan.docNumber !== undefined && problem({ key: 'doc-number', label: '文号', text: plan.docNumber }),
      plan.issuers.length > 0 && body({ key: 'issuers', label: '印发单位', text: plan.issuers.join('、') }),
      // The wording of the plan page's list of amendments.
      ...plan.amendments.map((am, k) =>
        body({
          key: `amendment-${k}`,
          label: `方案修改（${am.date}）`,
          text: `${am.title}${am.docNumber ? `（${am.docNumber}）` : ''}${am.reviewDocNumber ? `；依据${am.reviewBody ?? ''}审核意见（${am.reviewDocNumber}）` : ''}`,
        }),
      ),
      // The plan's note stays out: it quotes its items' problems, which their own records hold.
    ]),
    facets: { inspection: [plan.inspection], plan: [plan.id], region: regionKeys(portal, [plan.region]) },
  }));
}

/** One document per amended field: the review opinion, the explanation, the text before and after. */
function amendmentDocuments(portal: Portal): SearchDocument[] {
  return portal.content.plans.flatMap((plan) =>
    plan.amendments.flatMap((am) =>
      am.changes.map((c) => {
        const p = portal.item(c.item)!;
        const partIndex = c.part === undefined ? -1 : p.item.parts.findIndex((x) => x.label === c.part);
        return {
          id: `amendment:${am.id}:${c.item}:${c.field}${partIndex >= 0 ? `:${partIndex}` : ''}`,
          source: CONTENT_SOURCE,
          kind: 'amendment' as const,
          title: `${p.numberLabel} 修改${FIELD_LABELS[c.field]}${c.part ? `（分项${c.part}）` : ''}`,
          url: `${urls.item(c.item)}#rev-h`,
          date: am.date,
          fields: present([
            c.opinion !== undefined && problem({ key: 'opinion', label: '审核意见', text: c.opinion }),
            c.explanation !== undefined && body({ key: 'explanation', label: '说明', text: c.explanation }),
            body({ key: 'before', label: '修改前', text: c.before }),
            body({ key: 'after', label: '修改后', text: c.after }),
            am.docNumber !== undefined && body({ key: 'doc-number', label: '修改通知文号', text: am.docNumber }),
            am.reviewDocNumber !== undefined && body({ key: 'review-doc-number', label: '审核意见文号', text: am.reviewDocNumber }),
          ]),
          facets: itemFacets(p),
        };
      }),
    ),
  );
}

function caseDocuments(portal: Portal): SearchDocument[] {
  return portal.content.cases.map((c) => ({
    id: `case:${c.id}`,
    source: CONTENT_SOURCE,
    kind: 'case',
    title: c.title,
    url: urls.case(c.id),
    date: c.date,
    fields: present([
      problem({ key: 'summary', label: '基本情况', text: c.summary }),
      c.problems !== undefined && problem({ key: 'problems', label: '主要问题', text: c.problems }),
      c.causes !== undefined && body({ key: 'causes', label: '原因分析', text: c.causes }),
      c.consequences !== undefined && body({ key: 'consequences', label: '处理与要求', text: c.consequences }),
    ]),
    facets: { region: regionKeys(portal, c.regions), unit: c.units },
  }));
}

/** Unit ids whose name or alias is exactly `text` (a requester named in words). */
function unitsNamed(portal: Portal, text: string): string[] {
  return portal.content.units.filter((u) => u.name === text || u.aliases.includes(text)).map((u) => u.id);
}

/** One document per reporting round (its findings), and one per region's outcome. */
function reportingDocuments(portal: Portal): SearchDocument[] {
  return portal.content.reportingRounds.flatMap((r): SearchDocument[] => [
    {
      id: `reporting-round:${r.id}`,
      source: CONTENT_SOURCE,
      kind: 'reporting-round',
      title: r.title,
      url: urls.reportingRound(r.id),
      date: r.assessedOn,
      fields: present([
        problem({ key: 'subject', label: '上报事项', text: r.subject }),
        ...r.findings.map((f, k) => problem({ key: `finding-${k}`, label: `通报问题：${f.heading}`, text: f.text })),
        body({ key: 'requester', label: '要求单位', text: r.requester }),
        body({ key: 'addressees', label: '上报单位', text: r.addressees }),
        r.requestDocNumber !== undefined && body({ key: 'request-doc-number', label: '要求文件文号', text: r.requestDocNumber }),
        r.newRequirement !== undefined && body({ key: 'new-requirement', label: '新要求', text: r.newRequirement }),
      ]),
      facets: { region: regionKeys(portal, r.outcomes.map((o) => o.region)), unit: unitsNamed(portal, r.requester) },
    },
    ...r.outcomes.map(
      (o): SearchDocument => ({
        id: `reporting-outcome:${r.id}:${o.region}`,
        source: CONTENT_SOURCE,
        kind: 'reporting-outcome',
        // The round's title stays out: it would make every region's outcome match the round's words.
        title: `${portal.region(o.region)?.name ?? o.region}：${OUTCOME_LABELS[o.outcome]}`,
        url: urls.reportingRound(r.id),
        date: r.assessedOn,
        fields: present([o.assessment !== undefined && problem({ key: 'assessment', label: '通报评价', text: o.assessment })]),
        facets: { region: regionKeys(portal, [o.region]) },
      }),
    ),
  ]);
}

function progressDocuments(portal: Portal): SearchDocument[] {
  return portal.content.progressSummaries.map((s) => ({
    id: `progress-summary:${s.id}`,
    source: CONTENT_SOURCE,
    kind: 'progress-summary',
    title: s.title,
    url: `${urls.summaries()}#${s.id}`,
    date: s.asOf,
    fields: present([
      s.subject !== undefined && problem({ key: 'subject', label: '事项', text: s.subject }),
      s.source.quote !== undefined && problem({ key: 'quote', label: '原文摘录', text: s.source.quote }),
      ...s.figures.map((f, k) =>
        body({ key: `figure-${k}`, label: f.label, text: `${f.label}：${f.asPrinted ?? `${f.value}${f.unit}`}` }),
      ),
      s.note !== undefined && body({ key: 'note', label: '说明', text: s.note }),
    ]),
    facets: { region: regionKeys(portal, [s.region]), ...(s.inspection ? { inspection: [s.inspection] } : {}) },
  }));
}

/** Every search document of the portal's content. */
export function contentDocuments(portal: Portal): SearchDocument[] {
  return [
    ...planDocuments(portal),
    ...portal.items.flatMap((p) => itemDocuments(portal, p)),
    ...amendmentDocuments(portal),
    ...caseDocuments(portal),
    ...reportingDocuments(portal),
    ...progressDocuments(portal),
  ];
}

/** Chinese names of facet values (regions, units, plans …), for the API's facet counts. */
export function facetLabels(portal: Portal): FacetLabels {
  const { content } = portal;
  return {
    kind: KIND_LABELS,
    inspection: Object.fromEntries(content.inspections.map((i) => [i.id, i.name])),
    plan: Object.fromEntries(content.plans.map((p) => [p.id, p.title])),
    region: Object.fromEntries(content.regions.map((r) => [r.id, r.name])),
    unit: Object.fromEntries(content.units.map((u) => [u.id, u.name])),
    status: Object.fromEntries([...STATUSES, UNDISCLOSED].map((s) => [s.id, s.label])),
    topic: Object.fromEntries(content.topics.map((t) => [t.id, t.label])),
  };
}
