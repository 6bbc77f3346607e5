/** Comparing any two snapshots from the history the build writes: the same answer as the snapshots themselves, for every pair; the form's checks. */
import { describe, expect, it } from 'vitest';
import { compareSnapshots, readCompareRequest, statusWords } from '../../src/site/snapshot-compare.ts';
import { diffSnapshots, historyOf, makeSnapshot, type Snapshot } from '../../src/site/snapshots.ts';

type ItemRow = { id: string; status: string; status_date?: string; due_current?: string; problem?: string };
const files = (items: ItemRow[], parts: { item_id: string; deadline_text: string; measures?: string }[] = []) =>
  new Map([
    ['items.json', Buffer.from(JSON.stringify({ rows: items.map((r) => ({ plan_title: '某方案', number: Number(r.id.slice(1)), ...r })) }))],
    ['parts.json', Buffer.from(JSON.stringify({ rows: parts }))],
  ]);

/** Five snapshots: a status changes and changes back, a deadline moves, a text changes, an item is added and one removed. */
function chain(): Snapshot[] {
  const specs: [string, ItemRow[], { item_id: string; deadline_text: string; measures?: string }[]][] = [
    ['2021-01-01', [{ id: 'i1', status: '未公开进展' }, { id: 'i2', status: '序时推进', status_date: '2020-12' }, { id: 'i3', status: '未公开进展', problem: '原文' }], [{ item_id: 'i2', deadline_text: '2021年年底前' }]],
    ['2021-02-01', [{ id: 'i1', status: '已完成', status_date: '2021-01-20' }, { id: 'i2', status: '序时推进', status_date: '2020-12' }, { id: 'i3', status: '未公开进展', problem: '原文' }], [{ item_id: 'i2', deadline_text: '2022年6月底前' }]],
    ['2021-03-01', [{ id: 'i1', status: '未公开进展' }, { id: 'i2', status: '序时推进', status_date: '2020-12' }, { id: 'i3', status: '未公开进展', problem: '改过的原文' }], [{ item_id: 'i2', deadline_text: '2022年6月底前' }]],
    ['2021-04-01', [{ id: 'i1', status: '未公开进展' }, { id: 'i2', status: '序时推进', status_date: '2020-12' }, { id: 'i3', status: '未公开进展', problem: '改过的原文' }, { id: 'i4', status: '未公开进展' }], [{ item_id: 'i2', deadline_text: '2022年6月底前', measures: '新措施' }]],
    ['2021-05-01', [{ id: 'i1', status: '未公开进展' }, { id: 'i4', status: '未公开进展' }], []],
  ];
  const out: Snapshot[] = [];
  for (const [date, items, parts] of specs) out.push(makeSnapshot(date, files(items, parts), out.at(-1)));
  return out;
}

const snapshots = chain();
const history = historyOf(snapshots, (_id, row) => ({ plan: String(row.plan_title), number: `第${String(row.number)}项` }));
const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe('the snapshot history', () => {
  it('answers every pair of snapshots exactly as diffing the two snapshots does (a change undone is no change)', () => {
    let pairs = 0;
    for (let a = 0; a < snapshots.length; a++) {
      for (let b = a + 1; b < snapshots.length; b++) {
        const direct = diffSnapshots(snapshots[a]!, snapshots[b]!);
        const viaHistory = compareSnapshots(history, snapshots[a]!.date, snapshots[b]!.date);
        const where = `${snapshots[a]!.date} → ${snapshots[b]!.date}`;
        expect(ids(viaHistory.status), where).toEqual([...direct.status].sort());
        expect(ids(viaHistory.deadline), where).toEqual([...direct.deadline].sort());
        expect(ids(viaHistory.text), where).toEqual([...direct.text].sort());
        expect(ids(viaHistory.added), where).toEqual([...direct.added].sort());
        expect(ids(viaHistory.removed), where).toEqual([...direct.removed].sort());
        pairs += 1;
      }
    }
    expect(pairs).toBe(10);
    // The case that needs more than "did anything happen in between": i1 done, then undone.
    expect(compareSnapshots(history, '2021-01-01', '2021-03-01').status).toEqual([]);
    expect(compareSnapshots(history, '2021-01-01', '2021-02-01').status).toEqual([{ id: 'i1', label: '某方案 第1项', before: '未公开进展', after: '已完成（2021年1月20日）' }]);
    expect(ids(compareSnapshots(history, '2021-01-01', '2021-05-01').removed)).toEqual(['i2', 'i3']);
    expect(ids(compareSnapshots(history, '2021-03-01', '2021-04-01').text)).toEqual(['i2']);
    expect(ids(compareSnapshots(history, '2021-01-01', '2021-04-01').deadline)).toEqual(['i2']);
  });

  it('grows with the changes, not with the number of snapshots', () => {
    const same = files([{ id: 'i1', status: '未公开进展' }, { id: 'i2', status: '已完成', status_date: '2021-01-01' }]);
    const many: Snapshot[] = [];
    for (let d = 1; d <= 28; d++) many.push(makeSnapshot(`2021-02-${String(d).padStart(2, '0')}`, same, many.at(-1)));
    const h = historyOf(many, (id) => ({ plan: '某方案', number: id }));
    expect(h.plans).toEqual(['某方案']);
    expect(h.dates).toHaveLength(28);
    expect(Object.values(h.items).map((i) => i.v.length)).toEqual([1, 1]);
    expect(compareSnapshots(h, '2021-02-01', '2021-02-28').status).toEqual([]);
  });

  it('writes a status in words with its date', () => {
    expect(statusWords(JSON.stringify(['基本完成', '2020-07-30']))).toBe('基本完成（2020年7月30日）');
    expect(statusWords(JSON.stringify(['未公开进展', null]))).toBe('未公开进展');
  });
});

describe('the comparison form', () => {
  const dates = snapshots.map((s) => s.date);
  const read = (query: string) => readCompareRequest(new URLSearchParams(query), dates);

  it('starts at the last two snapshots, without errors and without a comparison', () => {
    expect(read('')).toEqual({ from: '2021-04-01', to: '2021-05-01', errors: {}, ready: false });
  });

  it('accepts two published dates, the earlier first', () => {
    expect(read('from=2021-01-01&to=2021-03-01')).toEqual({ from: '2021-01-01', to: '2021-03-01', errors: {}, ready: true });
  });

  it('refuses an unknown date, a malformed one, a missing one, the same date twice and a reversed pair, naming the field', () => {
    expect(read('from=2020-12-31&to=2021-03-01').errors).toEqual({ from: '没有2020年12月31日的快照：请从列表中选择较早的快照' });
    expect(read('from=2021-01-01&to=%3Cscript%3E').errors).toEqual({ to: '没有该日期的快照：请从列表中选择较晚的快照' });
    expect(read('from=2021-01-01').errors).toEqual({ to: '请选择较晚的快照' });
    expect(read('from=2021-02-01&to=2021-02-01').errors).toEqual({ to: '两个快照都是2021年2月1日的：请选择另一个日期的快照' });
    const reversed = read('from=2021-03-01&to=2021-01-01');
    expect(reversed.ready).toBe(false);
    expect(Object.keys(reversed.errors)).toEqual(['from']);
    expect(reversed.errors.from).toContain('请对调两个日期');
  });

  it('keeps what was chosen, cut to a bounded length', () => {
    expect(read(`from=${'9'.repeat(5000)}&to=2021-01-01`).from).toHaveLength(40);
  });
});
