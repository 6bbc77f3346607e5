import { describe, expect, it } from 'vitest';
import { endOfPeriod, formatDateZh, todayInChina } from '../../src/domain/dates.ts';
import { measuresToText, textToMeasures } from '../../src/domain/amend.ts';

describe('dates', () => {
  it('widens partial dates to the end of their period', () => {
    expect(endOfPeriod('2020-02')).toBe('2020-02-29');
    expect(endOfPeriod('2017')).toBe('2017-12-31');
    expect(endOfPeriod('2020-07-30')).toBe('2020-07-30');
  });
  it('formats dates the Chinese way', () => {
    expect(formatDateZh('2020-07-30')).toBe('2020年7月30日');
    expect(formatDateZh('2017-10')).toBe('2017年10月');
    expect(formatDateZh(undefined)).toBe('未公开');
  });
  it('takes today in China (UTC+8)', () => {
    expect(todayInChina(new Date('2020-12-31T17:00:00Z'))).toBe('2021-01-01');
  });
});

describe('measures as amendment text', () => {
  it('round-trips numbered and unnumbered measures', () => {
    const measures = [{ label: '(一)', text: '甲。' }, { label: '1.', text: '乙。' }, { text: '丙。' }];
    expect(textToMeasures(measuresToText(measures))).toEqual(measures);
  });
});
