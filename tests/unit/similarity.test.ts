import { describe, expect, it } from 'vitest';
import { bigramSimilarity, bigramsOf } from '../../src/text/similarity.ts';

const sim = (a: string, b: string) => bigramSimilarity(bigramsOf(a), bigramsOf(b));

describe('text similarity for suggestions', () => {
  it('finds a complaint alike to the item about the same thing, in either script', () => {
    const complaint = '凉州区某企业燃煤锅炉夜间冒黑烟，附近居民反映煤烟味很重。';
    const boilers = '燃煤锅炉淘汰整治不到位，部分燃煤锅炉未按期完成清洁能源替代。';
    const water = '饮用水水源地保护区内仍有违法建筑，水源地规范化建设滞后。';
    expect(sim(complaint, boilers)).toBeGreaterThan(sim(complaint, water));
    expect(sim('燃煤鍋爐冒黑煙', '燃煤锅炉冒黑烟')).toBe(1);
  });

  it('is 0 for nothing shared or empty text, 1 for the same, and symmetric', () => {
    expect(sim('河道排污', '大气治理')).toBe(0);
    expect(sim('', '河道排污')).toBe(0);
    expect(sim('河道排污口', '河道排污口')).toBe(1);
    expect(sim('河道排污口整治', '排污口')).toBeCloseTo(sim('排污口', '河道排污口整治'));
  });

  it('ignores punctuation and spaces between words', () => {
    expect(bigramsOf('河道，排污')).toEqual(new Set(['河道', '排污']));
  });
});
