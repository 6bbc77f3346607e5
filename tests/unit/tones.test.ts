/** One set of colours: badges (site.css) and charts (TONE_COLOURS) show each tone alike. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPLAINT_STATES } from '../../src/domain/complaint-states.ts';
import { STATUSES } from '../../src/domain/status.ts';
import { complaintTone, itemTone, TONE_COLOURS } from '../../src/site/tones.ts';

const css = readFileSync('src/styles/site.css', 'utf8');
const variable = (name: string) => css.match(new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`))?.[1]?.toLowerCase();

describe('tones', () => {
  it('are the same colours in charts as in the stylesheet', () => {
    expect(TONE_COLOURS.done).toBe(variable('done'));
    expect(TONE_COLOURS.progress).toBe(variable('info'));
    expect(TONE_COLOURS.bad).toBe(variable('bad'));
    expect(TONE_COLOURS.none).toBe(variable('muted'));
    for (const tone of ['done', 'progress', 'bad', 'none']) expect(css, tone).toMatch(new RegExp(`\\.s-${tone}\\s*\\{`));
  });

  it('give items and complaints one meaning each', () => {
    expect(itemTone('undisclosed')).toBe('none');
    for (const s of STATUSES) expect(['done', 'progress', 'bad']).toContain(itemTone(s.id));
    expect(complaintTone('closed')).toBe('done');
    expect(complaintTone('disputed')).toBe('bad');
    expect(complaintTone('rejected')).toBe('none');
    expect(complaintTone('duplicate')).toBe('none');
    for (const s of COMPLAINT_STATES.filter((x) => x.phase === 'open' && x.id !== 'disputed')) expect(complaintTone(s.id), s.id).toBe('progress');
  });
});
