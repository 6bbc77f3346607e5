/** Chinese labels for the model's enumerations (status labels live in src/domain/status.ts). */
import type { EvidenceTier, ReportOutcome, AmendableField } from './schemas.ts';

export const EVIDENCE_LABELS: Record<EvidenceTier, string> = {
  'self-reported': '责任单位自报',
  'on-site-check': '现场核查',
  'third-party': '第三方评估',
  'monitoring-data': '监测数据',
};

export const OUTCOME_LABELS: Record<ReportOutcome, string> = {
  'on-time': '按期上报',
  late: '逾期上报',
  'not-reported': '截至通报日未上报',
  'not-mentioned': '通报未提及',
};

export const FIELD_LABELS: Record<AmendableField, string> = {
  target: '整改目标',
  deadline: '整改时限',
  measures: '整改措施',
  responsibleUnits: '责任单位',
};

export const LEVEL_LABELS = { central: '中央', provincial: '省级' } as const;
