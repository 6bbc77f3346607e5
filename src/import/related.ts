/**
 * Items of an earlier plan that an item reports on. Item 6 of the 2020 武威
 * plan reports on the first-round plan 《武威市贯彻落实中央环境保护督察反馈
 * 意见整改方案》 item by item ("分别为第1、3、4、7……项"); when an item's
 * measures name another plan of the content by its title, the numbers they
 * cite ("第1、3、4项", "第2项、19项", "第22项问题") are that plan's items.
 */
import type { Item, Plan } from '../model/schemas.ts';
import { foldText } from './normalize.ts';

/** Runs like 第1、3、4、7项 or 第24项、32项、58项 (folded text, Arabic numbers). */
const NUMBER_RUN = /第((?:\d+项?[、,])*\d+)项/g;

export interface RelatedResult {
  items: string[];
  /** Numbers cited that the other plan's items in content do not carry. */
  missing: number[];
  /** Id of the plan referred to, if any. */
  plan?: string;
}

/**
 * Ids of the items of another plan that `texts` (an item's measures) cite.
 * Only when exactly one other plan is named by its title, so a number is
 * never read against the wrong plan.
 */
export function relatedItems(texts: readonly string[], planId: string, plans: readonly Plan[], items: readonly Item[]): RelatedResult {
  const folded = texts.map(foldText);
  const named = plans.filter((p) => p.id !== planId && folded.some((t) => t.includes(`《${foldText(p.title)}》`)));
  if (named.length !== 1) return { items: [], missing: [] };
  const other = named[0]!;
  const byNumber = new Map<number, string>();
  for (const i of items.filter((x) => x.plan === other.id)) {
    for (const n of [i.number, ...i.alsoNumbers]) byNumber.set(n, i.id);
  }
  const out: string[] = [];
  const missing: number[] = [];
  for (const t of folded) {
    for (const m of t.matchAll(NUMBER_RUN)) {
      for (const n of m[1]!.match(/\d+/g)!.map(Number)) {
        const id = byNumber.get(n);
        if (id === undefined) {
          if (!missing.includes(n)) missing.push(n);
        } else if (!out.includes(id)) out.push(id);
      }
    }
  }
  return { items: out, missing, plan: other.id };
}
