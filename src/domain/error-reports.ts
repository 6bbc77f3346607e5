/**
 * Reports of an error in the published data (报告数据错误): what may be reported, on which pages,
 * and how a report ends. Framework-free: the API, the form and the staff pages read these.
 *
 * A report names the page it is about (an item, case, reporting round or source page), says what
 * is wrong and, where the reporter can, on what evidence. Staff end it one of two ways: corrected
 * (the content was changed on a source, named in the resolution) or declined (with a reason).
 * Both are published in the corrections log; the reporter's words are not (only staff's summary),
 * and any contact they left stays with staff.
 */
import { z } from 'zod';

/** Pages a data error can be reported on: `/items/<id>/`, `/cases/<id>/`, `/reporting/<id>/`, `/sources/<id>/`. */
export const REPORTABLE_PAGE = /^\/(items|cases|reporting|sources)\/([a-z0-9][a-z0-9-]{0,80})\/$/;

export const PAGE_KIND_LABELS = { items: '整改任务', cases: '典型案例', reporting: '上报情况', sources: '来源文件' } as const;

export function reportablePage(path: string): { kind: keyof typeof PAGE_KIND_LABELS; id: string } | undefined {
  const m = REPORTABLE_PAGE.exec(path);
  return m ? { kind: m[1] as keyof typeof PAGE_KIND_LABELS, id: m[2]! } : undefined;
}

export const ERROR_REPORT_LIMITS = { description: { min: 10, max: 2000 }, evidence: 2000, name: 50, email: 254 } as const;

/** What a reporter sends (the API's JSON body; the form's fields map onto it). */
export const errorReportInput = z
  .object({
    page: z.string().trim().max(120, '页面地址过长').regex(REPORTABLE_PAGE, '只能报告整改任务、典型案例、上报情况和来源文件页面上的错误'),
    description: z
      .string()
      .trim()
      .min(ERROR_REPORT_LIMITS.description.min, `错误说明至少 ${ERROR_REPORT_LIMITS.description.min} 个字`)
      .max(ERROR_REPORT_LIMITS.description.max, `错误说明不能超过 ${ERROR_REPORT_LIMITS.description.max} 个字`),
    evidence: z.string().trim().max(ERROR_REPORT_LIMITS.evidence, `依据不能超过 ${ERROR_REPORT_LIMITS.evidence} 个字`).optional(),
    contact: z
      .object({
        name: z.string().trim().max(ERROR_REPORT_LIMITS.name, `姓名不能超过 ${ERROR_REPORT_LIMITS.name} 个字`).optional(),
        email: z.email('电子邮箱格式不正确').max(ERROR_REPORT_LIMITS.email, '电子邮箱过长').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ErrorReportInput = z.infer<typeof errorReportInput>;

/** How a report stands. */
export const ERROR_REPORT_STATES = {
  received: '已收到，待核实',
  corrected: '已更正',
  declined: '经核实不予更正',
} as const;
export type ErrorReportState = keyof typeof ERROR_REPORT_STATES;

/** Staff's decision on a report: corrected (naming the source of the correction) or declined (with a reason). */
export const errorReportDecision = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('corrected'),
    resolution: z.string().trim().min(5, '请写明更正了什么（至少 5 个字）').max(2000, '更正说明不能超过 2000 个字'),
    source: z.string().trim().min(2, '请写明更正所依据的来源文件').max(300, '来源不能超过 300 个字'),
  }),
  z.object({
    decision: z.literal('declined'),
    resolution: z.string().trim().min(5, '请写明不予更正的理由（至少 5 个字）').max(2000, '理由不能超过 2000 个字'),
  }),
]);
export type ErrorReportDecision = z.infer<typeof errorReportDecision>;

/** What the reporter is told when their report is decided (only if they left an e-mail address). */
export interface ErrorReportDecisionFacts {
  reference: string;
  /** Absolute URL of the page reported on. */
  pageUrl: string;
  /** Absolute URL of the public corrections log. */
  logUrl: string;
  decision: ErrorReportDecision;
}

/**
 * The one mail a data-error reporter gets: the decision, in staff's words (what the public log
 * shows), never anything the reporter wrote. No receipt mail: an address typed by anyone gets
 * mail only after staff have read the report, so the form cannot be used to mail strangers.
 */
export function errorReportDecisionMail(site: string, f: ErrorReportDecisionFacts): { subject: string; text: string } {
  const d = f.decision;
  const outcome = d.decision === 'corrected' ? ['经核实，您报告的错误已更正。', `更正内容：${d.resolution}`, `更正依据：${d.source}`] : ['经核实，本站数据与来源文件一致，不予更正。', `理由：${d.resolution}`];
  const text = [
    '您好：',
    '',
    `感谢您报告本站数据错误（报告编号 ${f.reference}）。`,
    ...outcome,
    '',
    `所报告的页面：${f.pageUrl}`,
    `数据更正记录：${f.logUrl}`,
    '',
    '——',
    `本邮件由${site}自动发送，请勿直接回复。您在报告数据错误时留下了本邮箱；本站只就该报告发送这一封邮件，邮箱不会公开。`,
    '',
  ].join('\n');
  return { subject: `【${site}】数据错误报告${ERROR_REPORT_STATES[d.decision]}（${f.reference}）`, text };
}
