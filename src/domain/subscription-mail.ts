/**
 * The mails a subscriber gets (functions/subscriptions.ts queues them through the outbox): the
 * confirmation of a new subscription, and a digest of what changed on the followed page. Plain
 * text in Simplified Chinese; every link absolute. Framework-free.
 *
 * Every mail carries its subscription's one-click unsubscribe link, in the text and in the
 * List-Unsubscribe header (RFC 2369), with List-Unsubscribe-Post (RFC 8058) so that a mail
 * program can unsubscribe with one POST, without opening a page.
 */
import { formatDateTimeZh, formatDateZh } from './dates.ts';
import { SITE_NAME } from './complaint-mail.ts';
import { REBOUND_LABEL } from './rebound.ts';

export const FREQUENCIES = ['daily', 'weekly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const FREQUENCY_LABELS: Record<Frequency, string> = { daily: '每日', weekly: '每周' };

export const TARGET_KINDS = ['item', 'plan', 'unit', 'region'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
export const TARGET_KIND_LABELS: Record<TargetKind, string> = { item: '整改任务', plan: '整改方案', unit: '责任单位', region: '地区' };

/** Most changes listed in one digest; the rest are on the page and its feed. */
export const DIGEST_LIMIT = 50;

export function unsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

export interface TargetFacts {
  /** 整改任务 / 整改方案 / 责任单位 / 地区 */
  kindLabel: string;
  name: string;
  /** The page's absolute URL. */
  pageUrl: string;
}

const footer = (unsubscribeUrl: string) => [
  '',
  '——',
  `退订（一键退订，无需登录）：${unsubscribeUrl}`,
  `本邮件由${SITE_NAME}自动发送，请勿直接回复。`,
];

export function confirmationMail(f: TargetFacts & { frequency: Frequency; confirmUrl: string; expiresAt: string; unsubscribeUrl: string }) {
  return {
    subject: `请确认订阅：${f.name}的整改动态`,
    text: [
      '您好：',
      '',
      `有人（可能是您本人）在${SITE_NAME}上用本邮箱订阅了以下${f.kindLabel}的整改动态，${FREQUENCY_LABELS[f.frequency]}汇总发送：`,
      `${f.name}`,
      f.pageUrl,
      '',
      `请打开以下链接确认订阅（${formatDateTimeZh(f.expiresAt)}前有效，只能使用一次）：`,
      f.confirmUrl,
      '',
      '如果不是您本人订阅，请忽略本邮件：未经确认，本邮箱不会再收到本平台的任何邮件。',
      ...footer(f.unsubscribeUrl),
    ].join('\n'),
  };
}

export interface DigestChange {
  kindLabel: string;
  /** As the source gives it (YYYY-MM-DD, YYYY-MM or YYYY). */
  date: string;
  title: string;
  summary: string;
  url: string;
}

export function digestMail(
  f: TargetFacts & {
    frequency: Frequency;
    changes: DigestChange[];
    feedUrl: string;
    unsubscribeUrl: string;
    /** An item's possible rebounds (src/domain/rebound.ts) since the last digest: a count and where they are counted, never their contents. */
    rebounds?: { count: number; capped?: boolean | undefined; url: string } | undefined;
    /** For an item: complaints linked to it whose handling results were published since the last digest (public reference and published summary). */
    linked?: { total: number; shown: readonly { reference: string; summary: string; url: string }[] } | undefined;
  },
) {
  const shown = f.changes.slice(0, DIGEST_LIMIT);
  const more = f.changes.length - shown.length;
  const rebounds = f.rebounds && f.rebounds.count > 0 ? f.rebounds : undefined;
  const linked = f.linked && f.linked.total > 0 ? f.linked : undefined;
  const news = [
    f.changes.length > 0 && `${f.changes.length} 条新动态`,
    linked && `${linked.total} 件关联投诉公开了办理结果`,
    rebounds && `销号后新增同类投诉 ${rebounds.capped ? '超过 ' : ''}${rebounds.count} 件`,
  ]
    .filter(Boolean)
    .join('，');
  return {
    subject: `${f.name}：${news}（${FREQUENCY_LABELS[f.frequency]}摘要）`,
    text: [
      '您好：',
      '',
      `您订阅的${f.kindLabel}“${f.name}”自上次摘要以来有${news}：`,
      ...shown.flatMap((c, i) => ['', `${i + 1}. 【${c.kindLabel}】${formatDateZh(c.date)}　${c.title}`, `   ${c.summary}`, `   ${c.url}`]),
      ...(more > 0 ? ['', `另有 ${more} 条，请在页面上查看。`] : []),
      ...(linked
        ? [
            '',
            `【关联投诉】与本项关联的投诉中，${linked.total} 件公开了办理结果：`,
            ...linked.shown.flatMap((c) => [`   受理编号 ${c.reference}　${c.summary}`, `   ${c.url}`]),
            ...(linked.total > linked.shown.length ? [`   另有 ${linked.total - linked.shown.length} 件，请在页面上查看。`] : []),
          ]
        : []),
      ...(rebounds
        ? ['', `【${REBOUND_LABEL}】本项已被公开为完成，此后同一地区又收到同类污染投诉 ${rebounds.capped ? '超过 ' : ''}${rebounds.count} 件（只计经审查受理的投诉，只计数量，不含投诉内容）。`, `   ${rebounds.url}`]
        : []),
      '',
      `页面：${f.pageUrl}`,
      `Atom 订阅源：${f.feedUrl}`,
      ...footer(f.unsubscribeUrl),
    ].join('\n'),
  };
}
