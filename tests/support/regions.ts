/** A small region hierarchy for unit tests: 全国 → 甘肃省 → 武威市 (凉州区, 民勤县), 兰州市. */
import type { RegionLike } from '../../src/domain/region-tree.ts';

export const GANSU_REGIONS: RegionLike[] = [
  { id: 'china', name: '全国', level: 'national' },
  { id: 'gansu', name: '甘肃省', level: 'province', parent: 'china' },
  { id: 'gansu-wuwei', name: '武威市', level: 'city', parent: 'gansu' },
  { id: 'gansu-wuwei-liangzhou', name: '凉州区', level: 'county', parent: 'gansu-wuwei' },
  { id: 'gansu-wuwei-minqin', name: '民勤县', level: 'county', parent: 'gansu-wuwei' },
  { id: 'gansu-lanzhou', name: '兰州市', level: 'city', parent: 'gansu' },
];
