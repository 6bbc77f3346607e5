/**
 * From the verbatim text of a unit or people field to references: the unit
 * ids of `content/units.yaml` a 责任单位 names, and the personal names a
 * 责任领导 / 责任人员 lists.
 *
 * Unit names are matched longest first, left to right, on folded text, so
 * "市、县区国家机关" is one unit although it contains a 、, and Traditional
 * text finds the Simplified names. Only units of the plan's own region, the
 * regions above it and those below it are considered: "市住建局" means a
 * different office in every city.
 */
import type { Region, Unit } from '../model/schemas.ts';
import { RegionTree } from '../domain/region-tree.ts';
import { foldText } from './normalize.ts';

/** Regions a plan of `regionId` may name units of: itself, its ancestors and its descendants. */
export function regionScope(regionId: string, regions: readonly Region[]): Set<string> {
  const tree = new RegionTree(regions);
  return new Set([...tree.selfAndAncestors(regionId).map((r) => r.id), ...tree.selfAndDescendantIds(regionId).filter((id) => tree.has(id))]);
}

/**
 * The ways a unit is written: its name, its aliases, and — for a collective
 * unit defined by reference to another document, whose note begins
 * "《…》（…号）确定的整改责任单位" — that defining phrase.
 */
function spellings(unit: Unit): string[] {
  const out = [unit.name, ...unit.aliases];
  if (unit.kind === 'collective' && unit.note?.startsWith('《')) {
    const lead = unit.note.split(/[；;。]/)[0]!;
    if (/确定的/.test(lead)) out.push(lead);
  }
  return out.map(foldText).filter((s) => s.length >= 2);
}

export interface UnitMatcher {
  /** Unit ids named in `text`, in order of first mention. */
  resolve(text: string): { units: string[]; unknown: string[] };
}

/** Separators and joining words between unit names in a list. */
const SEPARATORS = /^[\s,、;。和及与以及]+|[\s,、;。和及与以及]+$/g;
/** A leftover that looks like an organisation's name, worth reporting as unknown. */
const ORGANISATION = /(局|委|办|办公室|政府|厅|部|院|中心|公司|小组|单位|委员会)$/;

/** Builds a matcher over the units whose region is in `scope` (all units when no scope is given). */
export function unitMatcher(units: readonly Unit[], scope?: Set<string>): UnitMatcher {
  const phrases = units
    .filter((u) => !scope || scope.has(u.region))
    .flatMap((u) => spellings(u).map((s) => ({ s, id: u.id })))
    .sort((a, b) => b.s.length - a.s.length);
  return {
    resolve(text) {
      const fold = foldText(text);
      const found: string[] = [];
      const unknown: string[] = [];
      let rest = '';
      const flush = () => {
        for (const piece of rest.split(/[,、;。]/)) {
          const t = piece.replace(SEPARATORS, '');
          if (t && t.length <= 20 && ORGANISATION.test(t)) unknown.push(t);
        }
        rest = '';
      };
      for (let i = 0; i < fold.length; ) {
        const hit = phrases.find((p) => fold.startsWith(p.s, i));
        if (hit) {
          flush();
          if (!found.includes(hit.id)) found.push(hit.id);
          i += hit.s.length;
        } else {
          rest += fold[i];
          i++;
        }
      }
      flush();
      return { units: found, unknown };
    },
  };
}

/** A personal name: two to six Han characters (a middle dot allowed), no organisation words. */
const NAME = /^[\p{Script=Han}·]{2,6}$/u;
const NOT_A_NAME = /(政府|单位|部门|机关|团体|党委|负责|成员|领导|班子|主要|各级|市|县|区|局|委|办|省|人员|同志)/;

/**
 * The names a people field lists ("高加志、马世友、苏国波"), or none when the
 * field describes people by office ("各县区政府主要负责人").
 */
export function personalNames(text: string): string[] {
  const pieces = text.split(/[、,，;；\s]+/).map((p) => p.trim()).filter(Boolean);
  if (!pieces.length) return [];
  const fold = pieces.map((p) => foldText(p));
  return fold.every((p) => NAME.test(p) && !NOT_A_NAME.test(p)) ? pieces : [];
}
