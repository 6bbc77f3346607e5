/**
 * 逾期或久未更新 (/staff/escalation/): rectification items overdue or silent longest and
 * complaints past or near their deadlines, counted by unit, with one list at a time, keyset-paged
 * (functions/escalation.ts). Read only, so no form posts here; a handler sees their own unit
 * whatever the address asks for, admins and read-only accounts every unit or the one they pick.
 */
import { Hono } from 'hono';
import { escalationByUnit, ESCALATION_LISTS, ESCALATION_PAGE_SIZE, dueComplaints, isListKey, NO_UNIT, overdueItems, SILENT_AFTER_DAYS, silentItems, type EscalationScope } from '../escalation.ts';
import type { ComplaintDeps } from '../complaints.ts';
import { REMIND_BEFORE_DAYS } from '../../src/domain/reminders.ts';
import { pagerOf, PAGING_PARAMS } from './paging.ts';
import { staffFrame, staffMessage, type StaffEnv } from './staff-frame.ts';

/** Most units listed in the counts (the most pressing first); the rest are reached by the filter. */
export const UNIT_ROWS_SHOWN = 200;

export function escalationPage(deps: ComplaintDeps) {
  const { db, reference } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<StaffEnv>();
  app.get('/', async (c) => {
    const user = c.get('user');
    const q = (k: string) => c.req.query(k)?.trim().slice(0, 200) || undefined;
    const asked = q('unit');
    if (asked && asked !== NO_UNIT && !reference.units.some((u) => u.id === asked)) return staffMessage(c, 400, '未知的单位', ['所选单位不在单位名录中。'], [{ href: '/staff/escalation/', label: '返回逾期或久未更新' }]);
    const listAsked = q('list') ?? 'overdue';
    const list = ESCALATION_LISTS.find((l) => l === listAsked);
    const after = q('after');
    const before = q('before');
    const pageText = q('page') ?? '1';
    if (!list || (after && !isListKey(after)) || (before && !isListKey(before)) || (after && before) || !/^\d{1,6}$/.test(pageText) || Number(pageText) < 1) {
      return staffMessage(c, 400, '地址参数无效', ['列表或分页位置无效。'], [{ href: '/staff/escalation/', label: '返回逾期或久未更新' }]);
    }
    // A handler works their own unit's complaints only (maySee): so they see only its counts and lists.
    const fixed = user.role === 'handler';
    const scope: EscalationScope = { unit: fixed ? user.unit ?? '\u0000' : asked };
    const at = now();
    const key = { after, before };
    const [units, rows] = await Promise.all([
      // Every unit of the reference and "none", or the one shown.
      escalationByUnit(db, scope.unit === undefined ? [...reference.units.map((u) => u.id), NO_UNIT] : [scope.unit], at),
      list === 'complaints' ? dueComplaints(db, scope, at, key) : list === 'silent' ? silentItems(db, scope, key) : overdueItems(db, scope, at, key),
    ]);
    const query = Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => !PAGING_PARAMS.includes(k) && k !== 'page' && v && (k !== 'unit' || !fixed)) as [string, string][]);
    const pager = pagerOf('/staff/escalation/', query, after || before ? Number(pageText) : 1, rows, ESCALATION_PAGE_SIZE);
    const shown = { total: rows.total, capped: rows.capped, pager };
    return c.render({
      view: 'staff-escalation',
      title: '逾期或久未更新（工作人员）',
      staff: staffFrame(c),
      reference,
      unit: scope.unit,
      fixed,
      list,
      at: at.toISOString(),
      units: units.slice(0, UNIT_ROWS_SHOWN),
      unitsTotal: units.length,
      rules: { silentAfterDays: SILENT_AFTER_DAYS, remindBeforeDays: REMIND_BEFORE_DAYS },
      ...(list === 'complaints' ? { complaints: rows.rows as Awaited<ReturnType<typeof dueComplaints>>['rows'], items: [] } : { items: rows.rows as Awaited<ReturnType<typeof overdueItems>>['rows'], complaints: [] }),
      ...shown,
    });
  });
  return app;
}

