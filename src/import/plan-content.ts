/**
 * From a parsed plan to content records: the plan, its items and (when the
 * page is not yet among the sources) a source document.
 *
 * What the text says is taken from the text. What it does not say is kept
 * from the content already there: topics, regions named editorially, the
 * status history, notes, sign-off, a quotation on a citation. A new item gets
 * the regions its units imply and no topics — topics are an editor's
 * classification, listed for review rather than guessed.
 */
import type { Content } from '../content/load.ts';
import type { Item, ItemPart, Plan, Region, SourceDocument } from '../model/schemas.ts';
import { foldText } from './normalize.ts';
import type { ParsedItem, ParsedPart, ParsedPlan, Problem } from './plan-text.ts';
import { relatedItems } from './related.ts';
import { personalNames, regionScope, unitMatcher, type UnitMatcher } from './units.ts';

export interface PlanImportOptions {
  /** Plan id to use (default: the existing plan with the same document number, or region + year). */
  planId?: string;
  inspection?: string;
  region?: string;
  /** File name of the imported text, recorded as the source's archived copy. */
  fileName?: string;
}

export interface PlanImport {
  plan: Plan;
  items: Item[];
  newSources: SourceDocument[];
  /** Header comments for files that do not exist yet, keyed by item id (and plan id). */
  comments: Map<string, string>;
  /** Things an editor should look at; not errors. */
  notes: string[];
  /** Errors: the import cannot go ahead. */
  problems: Problem[];
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && foldText(a) === foldText(b);

/** Group ids by the kind of inspection a heading names. */
function groupId(title: string, index: number, taken: Set<string>): string {
  const t = foldText(title);
  const id = /例行/.test(t) ? 'routine' : /专项/.test(t) ? 'special' : /回头看/.test(t) ? 'follow-up' : `group-${index + 1}`;
  return taken.has(id) ? `group-${index + 1}` : id;
}

function depth(id: string, byId: Map<string, Region>): number {
  let n = 0;
  for (let r = byId.get(id); r?.parent; r = byId.get(r.parent)) n++;
  return n;
}

/** The most specific region whose name appears in the issuers or the title. */
function regionOf(parsed: ParsedPlan, regions: readonly Region[]): string | undefined {
  const hay = foldText([...parsed.issuers, parsed.title ?? ''].join(' '));
  const byId = new Map(regions.map((r) => [r.id, r]));
  const hits = regions.filter((r) => [r.name, ...r.aliases].some((n) => n.length >= 2 && hay.includes(foldText(n))));
  return hits.sort((a, b) => depth(b.id, byId) - depth(a.id, byId))[0]?.id;
}

/** "武威市整改实施方案": the region's name and the kind of plan, as the content's file comments call it. */
function shortTitle(title: string, region: Region | undefined): string {
  const kind = /整改(?:实施)?方案$/.exec(foldText(title));
  return region && kind && title.startsWith(region.name) ? `${region.name}${title.slice(title.length - kind[0].length)}` : title;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Builds the records an import of `parsed` gives, merged with what `content` already holds. */
export function planRecords(parsed: ParsedPlan, content: Content, options: PlanImportOptions = {}): PlanImport {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const comments = new Map<string, string>();
  const newSources: SourceDocument[] = [];

  // A plan id given on the command line names the plan; otherwise the document number or title finds it.
  const existingPlan =
    options.planId !== undefined
      ? content.plans.find((p) => p.id === options.planId)
      : (content.plans.find((p) => same(p.docNumber, parsed.docNumber)) ??
        content.plans.find((p) => same(p.title, parsed.title) && (!parsed.issued || p.issued === parsed.issued)));

  const region = options.region ?? existingPlan?.region ?? regionOf(parsed, content.regions);
  if (!region) problems.push({ message: '无法从发文机关或标题判断地区；请用 --region 指定（见 content/regions.yaml）' });
  const regionRecord = content.regions.find((r) => r.id === region);
  const year = parsed.issued?.slice(0, 4);
  const planId = options.planId ?? existingPlan?.id ?? (region && year ? `${region.split('-').at(-1)}-${year}` : undefined);
  if (!planId) problems.push({ message: '无法确定方案 id；请用 --plan 指定' });

  let inspection = options.inspection ?? existingPlan?.inspection;
  if (!inspection) {
    const scope = region ? regionScope(region, content.regions) : new Set<string>();
    const matches = content.inspections.filter((i) => i.team && parsed.teams.some((t) => same(t, i.team)) && (!region || scope.has(i.region)));
    if (matches.length === 1) inspection = matches[0]!.id;
    else problems.push({ message: `无法确定所属督察（文中督察组：${parsed.teams.join('、') || '无'}）；请用 --inspection 指定（见 content/inspections/）` });
  }
  if (!parsed.title) problems.push({ message: '没有找到方案标题' });
  if (!parsed.issuers.length) problems.push({ message: '没有找到发文机关（落款）' });
  if (problems.length || !planId || !region || !inspection || !parsed.title) {
    return { plan: undefined as unknown as Plan, items: [], newSources, comments, notes, problems };
  }

  // The source: the page itself, found by its title among the sources, or added.
  const noticeTitle = parsed.noticeTitle ?? parsed.title;
  let source = content.sources.find((s) => same(s.title, noticeTitle));
  if (!source) {
    source = {
      id: `${planId}-plan-notice`,
      title: noticeTitle,
      ...(parsed.docNumber ? { docNumber: parsed.docNumber } : {}),
      issuers: parsed.issuers,
      ...(parsed.issued ? { issued: parsed.issued } : {}),
      ...(parsed.published ? { published: parsed.published } : {}),
      ...(parsed.publishedBy ? { publishedBy: parsed.publishedBy } : {}),
      script: parsed.script,
      ...(options.fileName ? { archivedCopy: options.fileName } : {}),
    };
    newSources.push(source);
    notes.push(`来源 ${source.id} 尚未收录，将加入 sources.yaml（请补充网址 url）`);
  }

  const takenGroups = new Set<string>();
  const groups = parsed.groups.map((g, k) => {
    const old = existingPlan?.groups[k];
    const id = old && same(old.title, g.title) ? old.id : groupId(g.title, k, takenGroups);
    takenGroups.add(id);
    return { id, title: g.title, ...(g.declaredCount !== undefined ? { declaredCount: g.declaredCount } : {}) };
  });

  const plan: Plan = {
    id: planId,
    title: parsed.title,
    inspection,
    ...(parsed.docNumber ?? existingPlan?.docNumber ? { docNumber: parsed.docNumber ?? existingPlan?.docNumber } : {}),
    issuers: parsed.issuers,
    ...(parsed.issued ? { issued: parsed.issued } : {}),
    ...(parsed.published ?? existingPlan?.published ? { published: parsed.published ?? existingPlan?.published } : {}),
    region,
    groups,
    amendments: existingPlan?.amendments ?? [],
    source: existingPlan?.source.doc === source.id ? existingPlan.source : { doc: source.id, locator: parsed.inAttachment ? '通知正文及附件' : '通知正文' },
    ...(existingPlan?.note ? { note: existingPlan.note } : {}),
  } as Plan;
  if (!existingPlan) comments.set(planId, `${parsed.title}${parsed.docNumber ? `（${parsed.docNumber}）` : ''}。由 npm run import -- plan 导入。`);

  const scope = regionScope(region, content.regions);
  const matcher = unitMatcher(content.units, scope);
  const width = Math.max(2, String(Math.max(0, ...parsed.items.map((i) => i.number))).length);
  const short = shortTitle(parsed.title, regionRecord);
  const locatorPrefix = [parsed.inAttachment ? '附件' : undefined, parsed.listTitle].filter(Boolean).join(' ');

  const untagged: string[] = [];
  const items = parsed.items.map((p) => {
    const id = `${planId}-${pad(p.number, width)}`;
    const old = content.items.find((i) => i.plan === planId && (i.number === p.number || i.id === id));
    const item = itemRecord(p, { id, planId, groupId: p.group !== undefined ? groups[p.group]?.id : undefined, matcher, region, content, old, notes, sourceDoc: source.id, locator: [locatorPrefix, p.printed].filter(Boolean).join(' ') });
    if (!old) {
      comments.set(id, `${short}${parsed.docNumber ? `（${parsed.docNumber}）` : ''}${parsed.inAttachment ? '附件' : ''} ${p.printed}。字段原文照录。`);
      untagged.push(id);
    }
    return item;
  });
  if (untagged.length) notes.push(`新整改任务 ${untagged.length} 项，主题（topics）待标注：${untagged.join('、')}`);
  const gone = content.items.filter((i) => i.plan === planId && !parsed.items.some((p) => p.number === i.number));
  for (const g of gone) notes.push(`${g.id}：内容中有此项，本次导入的文本中没有（不会删除）`);
  return { plan, items, newSources, comments, notes, problems };
}

interface ItemContext {
  id: string;
  planId: string;
  groupId: string | undefined;
  matcher: UnitMatcher;
  region: string;
  content: Content;
  old: Item | undefined;
  notes: string[];
  sourceDoc: string;
  locator: string;
}

function itemRecord(p: ParsedItem, c: ItemContext): Item {
  const parts = p.parts.map((part) => partRecord(part, c));
  const unitRegions = parts
    .flatMap((x) => [...(x.responsibleUnits?.units ?? [])])
    .map((u) => c.content.units.find((x) => x.id === u))
    .filter((u) => u && u.kind === 'body')
    .map((u) => u!.region);
  const derivedRegions = [...new Set([c.region, ...unitRegions])];
  const related = relatedItems(
    parts.flatMap((x) => x.measures.map((m) => (m.label ?? '') + m.text)),
    c.planId,
    c.content.plans,
    c.content.items,
  );
  if (related.missing.length) c.notes.push(`${c.id}：引用了 ${related.plan} 的第${related.missing.join('、')}项，内容中没有对应整改任务（或已并入他项）`);
  const oldRelated = c.old?.relatedItems ?? [];
  const item: Item = {
    id: c.old?.id ?? c.id,
    plan: c.planId,
    ...(c.groupId ? { group: c.groupId } : {}),
    number: p.number,
    alsoNumbers: c.old?.alsoNumbers ?? [],
    ...(p.problem !== undefined ? { problem: p.problem } : {}),
    ...(c.old?.gloss ? { gloss: c.old.gloss } : {}),
    parts,
    regions: c.old?.regions ?? derivedRegions,
    topics: c.old?.topics ?? [],
    statusHistory: c.old?.statusHistory ?? [],
    ...(c.old?.signOff ? { signOff: c.old.signOff } : {}),
    relatedItems: [...oldRelated, ...related.items.filter((r) => !oldRelated.includes(r))],
    source: { ...(c.old?.source.doc === c.sourceDoc ? c.old.source : {}), doc: c.sourceDoc, locator: c.locator },
    ...(p.note ?? c.old?.note ? { note: p.note ?? c.old?.note } : {}),
  } as Item;
  return item;
}

function partRecord(p: ParsedPart, c: ItemContext): ItemPart {
  const f = p.fields;
  const units = (text: string | undefined, what: string) => {
    if (text === undefined) return undefined;
    const r = c.matcher.resolve(text);
    if (!r.units.length) c.notes.push(`${c.id}${p.label ?? ''}：${what}“${text}”未对应到 units.yaml 中的单位`);
    for (const u of r.unknown) c.notes.push(`${c.id}${p.label ?? ''}：${what}中的“${u}”不在 units.yaml 中`);
    return { text, units: r.units };
  };
  const people = (text: string | undefined) => (text === undefined ? undefined : { text, names: personalNames(text) });
  const part: ItemPart = {
    ...(p.label !== undefined ? { label: p.label } : {}),
    ...(p.problem !== undefined ? { problem: p.problem } : {}),
    ...(f.target !== undefined ? { target: f.target } : {}),
    ...(f.deadline !== undefined ? { deadline: f.deadline } : {}),
    ...(f.responsibleUnits !== undefined ? { responsibleUnits: units(f.responsibleUnits, '责任单位')! } : {}),
    ...(f.responsibleLeaders !== undefined ? { responsibleLeaders: people(f.responsibleLeaders)! } : {}),
    ...(f.responsiblePersons !== undefined ? { responsiblePersons: people(f.responsiblePersons)! } : {}),
    ...(f.supervisingUnits !== undefined ? { supervisingUnits: units(f.supervisingUnits, '督导单位')! } : {}),
    measures: p.measures.map((m) => (m.label !== undefined ? { label: m.label, text: m.text } : { text: m.text })),
  } as ItemPart;
  return part;
}
