/**
 * The real content, and the content check on deliberately broken copies of it
 * (fixtures made in a temporary folder, never in content/).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPortal, checkContent } from '../../src/content/portal.ts';
import { loadContent } from '../../src/content/load.ts';

describe('the real content', () => {
  const { content, problems } = loadContent();
  const portal = buildPortal(content, '2026-11-23');

  it('passes the content check', () => {
    expect(problems).toEqual([]);
    expect(checkContent()).toEqual([]);
  });

  it('holds all 17 items of the 武威 plan in their two groups, item 17 in two parts', () => {
    const items = portal.items.filter((i) => i.plan.id === 'wuwei-2020');
    expect(items.map((i) => i.item.number)).toEqual(Array.from({ length: 17 }, (_, k) => k + 1));
    expect(items.filter((i) => i.item.group === 'routine')).toHaveLength(9);
    expect(items.filter((i) => i.item.group === 'special')).toHaveLength(8);
    const seventeen = portal.item('wuwei-2020-17')!;
    expect(seventeen.parts.map((p) => p.label)).toEqual(['(一)', '(二)']);
    expect(seventeen.parts[0]!.measures).toHaveLength(5);
    expect(seventeen.parts[1]!.measures).toHaveLength(2);
  });

  it('keeps every field verbatim: each text is found in the seed document', () => {
    const seed = readFileSync(join(import.meta.dirname, '../fixtures/seeds/001_b5fa22a766b1ca11.txt'), 'utf8');
    for (const i of content.items.filter((x) => x.plan === 'wuwei-2020')) {
      expect(seed).toContain(i.problem!);
      for (const p of i.parts) {
        for (const text of [p.problem, p.target, p.deadline, p.responsibleUnits?.text, p.responsibleLeaders?.text, p.responsiblePersons?.text, p.supervisingUnits?.text, ...p.measures.map((m) => (m.label ?? '') + m.text)]) {
          if (text !== undefined) expect(seed).toContain(text);
        }
      }
    }
  });

  it('records the four amendments of 2020-11-25 and shows amended text as current', () => {
    const plan = portal.plan('wuwei-2020')!;
    expect(plan.amendments).toHaveLength(1);
    const changes = plan.amendments[0]!.changes;
    expect(changes.map((c) => [c.item, c.field])).toEqual([
      ['wuwei-2020-06', 'deadline'],
      ['wuwei-2020-10', 'target'],
      ['wuwei-2020-12', 'measures'],
      ['wuwei-2020-14', 'measures'],
    ]);
    expect(portal.item('wuwei-2020-10')!.parts[0]!.target).toMatch(/^凉州城区环境空气可吸入颗粒物/);
    expect(portal.item('wuwei-2020-10')!.item.parts[0]!.target).toMatch(/^城市环境空气质量持续改善/);
    expect(portal.item('wuwei-2020-14')!.parts[0]!.measures[0]!.text).toContain('45801户');
  });

  it('judges item 6 on two clocks: conditional original, dated amended', () => {
    const six = portal.item('wuwei-2020-06')!;
    expect(six.assessment.parts[0]!.deadline.original!.kind).toBe('conditional');
    expect(six.assessment.due).toEqual({ original: '2020-12-31', current: '2020-12-31' });
  });

  it('reproduces the first-round counts item 6 states: 19 items, 11 basically done, 3 not done, 5 on schedule', () => {
    const first = portal.items.filter((i) => i.plan.id === 'wuwei-2017');
    expect(first).toHaveLength(19);
    const r = portal.rollups.byPlan.get('wuwei-2017')!;
    expect(r.byStatus['basically-completed']).toBe(11);
    expect(r.byStatus['not-completed']).toBe(3);
    expect(r.byStatus['on-schedule']).toBe(5);
    const stated = content.progressSummaries.find((s) => s.id === 'wuwei-first-round-2020')!;
    expect(stated.figures.map((f) => f.value)).toEqual(expect.arrayContaining([19, 11, 3, 5]));
  });

  it('never invents a status for the 2020 plan: every item is undisclosed, dated ones 逾期未报', () => {
    for (const i of portal.items.filter((x) => x.plan.id === 'wuwei-2020')) {
      expect(i.assessment.status).toBe('undisclosed');
      expect(i.assessment.overdueUnreported).toBe(!i.assessment.undated);
    }
    expect(portal.items.filter((x) => x.plan.id === 'wuwei-2020' && x.assessment.undated).map((x) => x.item.number)).toEqual([1, 2, 3, 4, 5]);
  });

  it('holds the reporting round with every Gansu city and its outcome', () => {
    const round = content.reportingRounds[0]!;
    expect(round.dueOn).toBe('2020-08-31');
    const by = (o: string) => round.outcomes.filter((x) => x.outcome === o).map((x) => x.region).sort();
    expect(by('on-time')).toEqual(['gansu-dingxi', 'gansu-gannan', 'gansu-jiayuguan']);
    expect(by('not-reported')).toEqual(['gansu-baiyin', 'gansu-tianshui']);
    expect(round.outcomes).toHaveLength(15);
  });

  it('keeps the verbatim text of cases, reporting rounds and summaries as found in their archived sources', () => {
    const seeds = new Map(content.sources.map((s) => [s.id, readFileSync(join(import.meta.dirname, '../fixtures/seeds', s.archivedCopy!), 'utf8')]));
    for (const c of content.cases) {
      for (const t of [c.summary, c.problems, c.causes, c.consequences]) if (t) expect(seeds.get(c.source.doc)).toContain(t);
    }
    for (const r of content.reportingRounds) {
      const seed = seeds.get(r.source.doc)!;
      for (const o of r.outcomes) if (o.assessment) expect(seed).toContain(o.assessment);
      for (const f of r.findings) expect(seed).toContain(f.text);
    }
    for (const s of content.progressSummaries) {
      for (const f of s.figures) if (f.asPrinted) expect(seeds.get(s.source.doc)).toContain(f.asPrinted);
    }
    for (const i of content.items) {
      for (const h of i.statusHistory) {
        if (h.note) expect(seeds.get(h.source.doc)).toContain(h.note);
        if (h.source.quote) expect(seeds.get(h.source.doc)).toContain(h.source.quote);
        if (h.contradiction) expect(seeds.get(h.source.doc)).toContain(h.contradiction.quote);
      }
    }
  });

  it('holds the four falsification cases of seed 003', () => {
    const falsified = content.cases.filter((c) => c.source.doc === 'hubei-2022-how-to-rectify');
    expect(falsified).toHaveLength(4);
    expect(falsified.every((c) => c.kinds.includes('虚假整改'))).toBe(true);
  });
});

describe('the content check on broken fixtures', () => {
  let dir: string;
  const fixture = (mutate: (root: string) => void) => {
    dir = mkdtempSync(join(tmpdir(), 'content-fixture-'));
    cpSync('content', dir, { recursive: true });
    mutate(dir);
    return checkContent(dir);
  };
  const edit = (file: string, from: string | RegExp, to: string) => {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(from, to);
    if (next === text) throw new Error(`fixture edit did not apply to ${file}`);
    writeFileSync(file, next);
  };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file and field of a wrong type', () => {
    const problems = fixture((root) => edit(join(root, 'items/wuwei-2020/07.yaml'), 'number: 7', 'number: 七'));
    expect(problems).toEqual([expect.objectContaining({ file: expect.stringContaining('items/wuwei-2020/07.yaml'), field: 'number' })]);
  });

  it('names an unknown unit', () => {
    const problems = fixture((root) => edit(join(root, 'items/wuwei-2020/07.yaml'), '- wuwei-housing', '- wuwei-no-such-unit'));
    expect(problems).toEqual([
      expect.objectContaining({ file: expect.stringContaining('07.yaml'), field: 'parts[0].responsibleUnits.units[1]', message: expect.stringContaining('wuwei-no-such-unit') }),
    ]);
  });

  it('names a dangling reference to an item', () => {
    const problems = fixture((root) => edit(join(root, 'items/wuwei-2020/06.yaml'), '- wuwei-2017-58', '- wuwei-2017-99'));
    expect(problems).toEqual([expect.objectContaining({ field: 'relatedItems[18]', message: '未知整改任务：wuwei-2017-99' })]);
  });

  it('names an unparseable deadline', () => {
    const problems = fixture((root) => edit(join(root, 'items/wuwei-2020/09.yaml'), 'deadline: 2020年年底前', 'deadline: 尽快'));
    expect(problems).toEqual([expect.objectContaining({ file: expect.stringContaining('09.yaml'), field: 'parts[0].deadline', message: '无法解析的整改时限：尽快' })]);
  });

  it('notices a group whose item count differs from its heading, and an amendment quoting text the item never had', () => {
    const problems = fixture((root) => {
      rmSync(join(root, 'items/wuwei-2020/16.yaml'));
      edit(join(root, 'plans/wuwei-2020.yaml'), 'before: 城市环境空气质量持续改善', 'before: 城市环境空气质量明显改善');
    });
    expect(problems.map((p) => p.field)).toEqual(['groups[1].declaredCount', 'amendments[0].changes[1].before']);
  });

  it('names a source whose archived text is missing', () => {
    const problems = fixture((root) => rmSync(join(root, 'archive/004_a89b2bde670616cd.txt')));
    expect(problems).toEqual([expect.objectContaining({ file: expect.stringContaining('sources.yaml'), field: '[5].archivedCopy', message: '存档文本不存在：archive/004_a89b2bde670616cd.txt' })]);
  });

  it('reports a file that is not valid YAML', () => {
    const problems = fixture((root) => writeFileSync(join(root, 'cases/broken.yaml'), 'id: [unclosed'));
    expect(problems).toEqual([expect.objectContaining({ file: expect.stringContaining('cases/broken.yaml'), message: expect.stringMatching(/^无法读取/) })]);
  });
});
