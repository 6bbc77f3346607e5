/**
 * The states a complaint moves through, after the national rules for
 * environmental complaints: accepted or refused within 15 days, handled and
 * closed within 60 days of acceptance (extendable once).
 */
export const COMPLAINT_STATES = [
  { id: 'submitted', label: '已提交' },
  { id: 'accepted', label: '已受理' },
  { id: 'rejected', label: '不予受理' },
  { id: 'assigned', label: '已转办' },
  { id: 'in-progress', label: '办理中' },
  { id: 'partially-closed', label: '阶段性办结' },
  { id: 'closed', label: '已办结' },
  { id: 'disputed', label: '已办结—有异议' },
  { id: 'duplicate', label: '重复举报' },
] as const;

export type ComplaintState = (typeof COMPLAINT_STATES)[number]['id'];

export function complaintStateLabel(id: string): string {
  return COMPLAINT_STATES.find((s) => s.id === id)?.label ?? id;
}
