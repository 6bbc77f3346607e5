/**
 * The people an item's plan names as 责任领导 (responsible leader) or 责任人员
 * (responsible person), from the `names` the content lists (the text as
 * printed stays on the item page). A name is a string as printed: two people
 * with the same name are not told apart, and the page says so.
 */
import type { Portal, PortalItem } from '../content/portal.ts';

export type PersonRole = 'leader' | 'person';
export const ROLE_LABELS: Record<PersonRole, string> = { leader: '责任领导', person: '责任人员' };

export interface Person {
  name: string;
  role: PersonRole;
  items: PortalItem[];
  /** Anchor id on /people/. */
  anchor: string;
}

export function peopleOf(portal: Portal): Person[] {
  const found = new Map<string, Person>();
  for (const p of portal.items) {
    for (const part of p.parts) {
      for (const [role, field] of [['leader', part.responsibleLeaders], ['person', part.responsiblePersons]] as const) {
        for (const name of field?.names ?? []) {
          const key = `${role}:${name}`;
          const person = found.get(key) ?? { name, role, items: [], anchor: `${role}-${name}` };
          if (!person.items.includes(p)) person.items.push(p);
          found.set(key, person);
        }
      }
    }
  }
  return [...found.values()].sort((a, b) => Number(a.role !== 'leader') - Number(b.role !== 'leader') || b.items.length - a.items.length || a.name.localeCompare(b.name, 'zh-CN'));
}

/** The anchor of a name on /people/, for links from item pages. */
export const personHref = (role: PersonRole, name: string) => `/people/#${encodeURIComponent(`${role}-${name}`)}`;
