/**
 * Cross-reference and consistency checks over loaded content: every id a
 * record names exists, ids are unique, a group holds the number of items its
 * heading declares, an amendment's "before" text is what the item said, and
 * every deadline can be read. Each problem names the file and the field.
 */
import { parseDeadline } from '../domain/deadline.ts';
import { fieldText } from '../domain/amend.ts';
import type { Content, ContentProblem } from './load.ts';
import { formatPath } from './load.ts';
import { ARCHIVE_DIR, readArchive } from './archive.ts';
import type { CollectionName } from '../model/schemas.ts';

export function checkIntegrity(content: Content, origins: Map<string, string>, root?: string): ContentProblem[] {
  const problems: ContentProblem[] = [];
  if (root !== undefined) {
    content.sources.forEach((s, k) => {
      if (s.archivedCopy && !readArchive(s.archivedCopy, root)) {
        problems.push({ file: origins.get(`sources:${s.id}`) ?? 'sources.yaml', field: formatPath([k, 'archivedCopy']), message: `存档文本不存在：${ARCHIVE_DIR}/${s.archivedCopy}` });
      }
    });
  }
  const ids = {} as Record<CollectionName, Set<string>>;
  for (const name of Object.keys(content) as CollectionName[]) {
    ids[name] = new Set();
    for (const record of content[name] as { id: string }[]) {
      if (ids[name].has(record.id)) {
        problems.push({ file: origins.get(`${name}:${record.id}`) ?? name, field: 'id', message: `重复的 id：${record.id}` });
      }
      ids[name].add(record.id);
    }
  }
  const fileOf = (name: CollectionName, id: string) => origins.get(`${name}:${id}`) ?? `${name}/${id}`;
  const need = (
    from: [CollectionName, string],
    path: (string | number)[],
    target: CollectionName,
    value: string | undefined,
  ) => {
    if (value !== undefined && !ids[target].has(value)) {
      const kind: Record<CollectionName, string> = {
        sources: '来源文件', regions: '地区', units: '单位', topics: '主题', inspections: '督察',
        plans: '整改方案', items: '整改任务', cases: '案例', reportingRounds: '上报轮次', progressSummaries: '进展汇总',
      };
      problems.push({ file: fileOf(...from), field: formatPath(path), message: `未知${kind[target]}：${value}` });
    }
  };

  for (const r of content.regions) need(['regions', r.id], ['parent'], 'regions', r.parent);
  for (const u of content.units) need(['units', u.id], ['region'], 'regions', u.region);
  for (const i of content.inspections) {
    const at: [CollectionName, string] = ['inspections', i.id];
    need(at, ['region'], 'regions', i.region);
    i.sources.forEach((s, k) => need(at, ['sources', k, 'doc'], 'sources', s.doc));
  }

  const itemsById = new Map(content.items.map((i) => [i.id, i]));
  // Items per plan and group, counted once (counting per group would scan every item for every group).
  const groupCounts = new Map<string, number>();
  const groupKey = (plan: string, group: string) => `${plan}#${group}`;
  for (const i of content.items) {
    if (i.group !== undefined) groupCounts.set(groupKey(i.plan, i.group), (groupCounts.get(groupKey(i.plan, i.group)) ?? 0) + 1);
  }
  for (const p of content.plans) {
    const at: [CollectionName, string] = ['plans', p.id];
    need(at, ['inspection'], 'inspections', p.inspection);
    need(at, ['region'], 'regions', p.region);
    need(at, ['source', 'doc'], 'sources', p.source.doc);
    for (const [g, group] of p.groups.entries()) {
      const count = groupCounts.get(groupKey(p.id, group.id)) ?? 0;
      if (group.declaredCount !== undefined && count !== group.declaredCount) {
        problems.push({ file: fileOf(...at), field: formatPath(['groups', g, 'declaredCount']), message: `标题称 ${group.declaredCount} 项，实有 ${count} 项` });
      }
    }
    p.amendments.forEach((a, k) => {
      need(at, ['amendments', k, 'source', 'doc'], 'sources', a.source.doc);
      a.changes.forEach((c, j) => {
        const path = ['amendments', k, 'changes', j];
        const item = itemsById.get(c.item);
        if (!item) return need(at, [...path, 'item'], 'items', c.item);
        if (item.plan !== p.id) {
          problems.push({ file: fileOf(...at), field: formatPath([...path, 'item']), message: `${c.item} 不属于方案 ${p.id}` });
          return;
        }
        const part = item.parts.find((pt) => pt.label === c.part);
        if (!part) {
          problems.push({ file: fileOf(...at), field: formatPath([...path, 'part']), message: `${c.item} 没有分项 ${c.part}` });
          return;
        }
        // Earlier amendments to the same field are applied before comparing.
        const earlier = p.amendments.slice(0, k).flatMap((x) => x.changes).filter((x) => x.item === c.item && x.field === c.field && x.part === c.part);
        const expected = earlier.at(-1)?.after ?? fieldText(part, c.field);
        if (expected !== c.before) {
          problems.push({ file: fileOf(...at), field: formatPath([...path, 'before']), message: '修改前文本与整改任务原文不一致' });
        }
        if (c.field === 'deadline' && parseDeadline(c.after).kind === 'unparsed') {
          problems.push({ file: fileOf(...at), field: formatPath([...path, 'after']), message: `无法解析的整改时限：${c.after}` });
        }
      });
    });
  }

  const plansById = new Map(content.plans.map((p) => [p.id, p]));
  for (const item of content.items) {
    const at: [CollectionName, string] = ['items', item.id];
    need(at, ['plan'], 'plans', item.plan);
    const plan = plansById.get(item.plan);
    if (plan && item.group !== undefined && !plan.groups.some((g) => g.id === item.group)) {
      problems.push({ file: fileOf(...at), field: 'group', message: `方案 ${item.plan} 没有分组 ${item.group}` });
    }
    item.regions.forEach((r, k) => need(at, ['regions', k], 'regions', r));
    item.topics.forEach((t, k) => need(at, ['topics', k], 'topics', t));
    item.relatedItems.forEach((r, k) => need(at, ['relatedItems', k], 'items', r));
    need(at, ['source', 'doc'], 'sources', item.source.doc);
    if (item.signOff) need(at, ['signOff', 'source', 'doc'], 'sources', item.signOff.source.doc);
    const labels = item.parts.map((p) => p.label);
    if (item.parts.length > 1 && labels.some((l) => !l)) {
      problems.push({ file: fileOf(...at), field: 'parts', message: '多个分项时每个分项都要有编号' });
    }
    item.parts.forEach((part, k) => {
      for (const f of ['responsibleUnits', 'supervisingUnits'] as const) {
        part[f]?.units.forEach((u, j) => need(at, ['parts', k, f, 'units', j], 'units', u));
      }
      if (part.deadline !== undefined && parseDeadline(part.deadline).kind === 'unparsed') {
        problems.push({ file: fileOf(...at), field: formatPath(['parts', k, 'deadline']), message: `无法解析的整改时限：${part.deadline}` });
      }
    });
    item.statusHistory.forEach((s, k) => {
      need(at, ['statusHistory', k, 'source', 'doc'], 'sources', s.source.doc);
      if (s.part !== undefined && !labels.includes(s.part)) {
        problems.push({ file: fileOf(...at), field: formatPath(['statusHistory', k, 'part']), message: `没有分项 ${s.part}` });
      }
    });
  }
  const numbers = new Map<string, string>();
  for (const item of content.items) {
    for (const n of [item.number, ...item.alsoNumbers]) {
      const key = `${item.plan}#${n}`;
      if (numbers.has(key)) {
        problems.push({ file: fileOf('items', item.id), field: 'number', message: `方案 ${item.plan} 中第 ${n} 项重复（另见 ${numbers.get(key)}）` });
      }
      numbers.set(key, item.id);
    }
  }

  for (const c of content.cases) {
    const at: [CollectionName, string] = ['cases', c.id];
    c.regions.forEach((r, k) => need(at, ['regions', k], 'regions', r));
    c.relatedItems.forEach((r, k) => need(at, ['relatedItems', k], 'items', r));
    c.units.forEach((u, k) => need(at, ['units', k], 'units', u));
    need(at, ['source', 'doc'], 'sources', c.source.doc);
  }
  for (const r of content.reportingRounds) {
    const at: [CollectionName, string] = ['reportingRounds', r.id];
    r.relatedItems.forEach((x, k) => need(at, ['relatedItems', k], 'items', x));
    r.outcomes.forEach((o, k) => need(at, ['outcomes', k, 'region'], 'regions', o.region));
    need(at, ['source', 'doc'], 'sources', r.source.doc);
  }
  for (const s of content.progressSummaries) {
    const at: [CollectionName, string] = ['progressSummaries', s.id];
    need(at, ['region'], 'regions', s.region);
    need(at, ['inspection'], 'inspections', s.inspection);
    need(at, ['source', 'doc'], 'sources', s.source.doc);
  }
  return problems;
}
