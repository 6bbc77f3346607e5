/** The one region hierarchy: ancestors, descendants, children, depth, full names. */
import { describe, expect, it } from 'vitest';
import { RegionTree } from '../../src/domain/region-tree.ts';
import { GANSU_REGIONS } from '../support/regions.ts';

const tree = new RegionTree([
  ...GANSU_REGIONS,
  // A cycle the content check would refuse: walking it must end.
  { id: 'loop-a', name: '甲', parent: 'loop-b' },
  { id: 'loop-b', name: '乙', parent: 'loop-a' },
]);

describe('the region tree', () => {
  it('lists a region and the regions above it, nearest first; an unknown id stands for itself', () => {
    expect(tree.selfAndAncestorIds('gansu-wuwei-liangzhou')).toEqual(['gansu-wuwei-liangzhou', 'gansu-wuwei', 'gansu', 'china']);
    expect(tree.selfAndAncestorIds('nowhere')).toEqual(['nowhere']);
    expect(tree.selfAndAncestorIds('loop-a')).toEqual(['loop-a', 'loop-b']);
  });

  it('lists a region and every region under it', () => {
    expect(tree.selfAndDescendantIds('gansu').sort()).toEqual(['gansu', 'gansu-lanzhou', 'gansu-wuwei', 'gansu-wuwei-liangzhou', 'gansu-wuwei-minqin']);
    expect(tree.selfAndDescendantIds('gansu-wuwei-minqin')).toEqual(['gansu-wuwei-minqin']);
    expect(tree.children('gansu-wuwei').map((r) => r.id)).toEqual(['gansu-wuwei-liangzhou', 'gansu-wuwei-minqin']);
  });

  it('gives depth and the full name without the national level', () => {
    expect(tree.depth('china')).toBe(0);
    expect(tree.depth('gansu-wuwei-liangzhou')).toBe(3);
    expect(tree.fullName('gansu-wuwei-liangzhou')).toBe('甘肃省武威市凉州区');
    expect(tree.fullName('nowhere')).toBe('nowhere');
  });
});
