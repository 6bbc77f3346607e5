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

/** People per page of /people/ (a country's plans name tens of thousands: one page was 35 MB at 10,000 items; 50 a page was 636 KB at 50,000). */
export const PEOPLE_PER_PAGE = 25;

const built = new WeakMap<Portal, { people: Person[]; pageOf: Map<string, number> }>();

function peopleIndex(portal: Portal) {
  let index = built.get(portal);
  if (index) return index;
  const found = new Map<string, Person>();
  const seen = new Set<string>();
  for (const p of portal.items) {
    for (const part of p.parts) {
      for (const [role, field] of [['leader', part.responsibleLeaders], ['person', part.responsiblePersons]] as const) {
        for (const name of field?.names ?? []) {
          const key = `${role}:${name}`;
          const person = found.get(key) ?? { name, role, items: [], anchor: `${role}-${name}` };
          // An item lists a name once however many of its parts name it.
          if (!seen.has(`${key}\u0000${p.item.id}`)) {
            seen.add(`${key}\u0000${p.item.id}`);
            person.items.push(p);
          }
          found.set(key, person);
        }
      }
    }
  }
  const people = [...found.values()].sort((a, b) => Number(a.role !== 'leader') - Number(b.role !== 'leader') || b.items.length - a.items.length || a.name.localeCompare(b.name, 'zh-CN'));
  const pageOf = new Map(people.map((p, k) => [`${p.role}:${p.name}`, Math.floor(k / PEOPLE_PER_PAGE) + 1]));
  index = { people, pageOf };
  built.set(portal, index);
  return index;
}

export function peopleOf(portal: Portal): Person[] {
  return peopleIndex(portal).people;
}

/** /people/, /people/2/, …: PEOPLE_PER_PAGE people each. */
export const peoplePage = (page: number) => (page <= 1 ? '/people/' : `/people/${page}/`);

/** The anchor of a name on its page of /people/, for links from item pages. */
export const personHref = (portal: Portal, role: PersonRole, name: string) =>
  `${peoplePage(peopleIndex(portal).pageOf.get(`${role}:${name}`) ?? 1)}#${encodeURIComponent(`${role}-${name}`)}`;
