import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figure, writeReport } from '../../bench/report.ts';

describe('benchmark reports', () => {
  it('say whether each figure meets its target', () => {
    expect(figure('50000.total.seconds', 280, 's', { value: 300, comparison: '<=' }).met).toBe(true);
    expect(figure('50000.total.seconds', 301, 's', { value: 300, comparison: '<=' }).met).toBe(false);
    expect(figure('intake.rps', 499, 'req/s', { value: 500, comparison: '>=' }).met).toBe(false);
    expect(figure('10000.output.files', 25_484, 'files')).toMatchObject({ target: null, comparison: null, met: null });
    expect(figure('50000.pagefind.peak_mb', null, 'MB', { value: 2048, comparison: '<=' }).met).toBeNull();
  });

  it('are written as JSON with the machine they were measured on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    try {
      const path = writeReport('scale', [figure('1000.total.seconds', 12.5, 's', { value: 300, comparison: '<=' })], dir);
      const report = JSON.parse(readFileSync(path, 'utf8'));
      expect(report.benchmark).toBe('scale');
      expect(Object.keys(report.machine).sort()).toEqual(['cores', 'cpu', 'load', 'memoryGb', 'node']);
      expect(report.figures[0]).toEqual({ name: '1000.total.seconds', value: 12.5, unit: 's', target: 300, comparison: '<=', met: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
