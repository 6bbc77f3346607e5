/**
 * The one format every benchmark writes beside the table it prints: `.scratch/bench/<benchmark>.json`
 *
 *   { "benchmark", "date", "machine": { "cpu", "cores", "memoryGb", "node", "load" },
 *     "figures": [ { "name", "value", "unit", "target", "comparison", "met" } ] }
 *
 * Names are dotted, size first where there is one: `50000.pagefind.peak_mb`, `100000.very-common.p95_ms`.
 * A figure without a target has `target`, `comparison` and `met` null. The machine's load average is
 * recorded with the figures: on a shared machine it says how far they can be compared.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export type Comparison = '<=' | '>=' | '==';

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  target: number | null;
  comparison: Comparison | null;
  met: boolean | null;
}

/** A figure, with whether it meets its target (null when it has none, or was not measured). */
export function figure(name: string, value: number | null, unit: string, target?: { value: number; comparison: Comparison }): Figure {
  const met =
    target === undefined || value === null
      ? null
      : target.comparison === '<='
        ? value <= target.value
        : target.comparison === '>='
          ? value >= target.value
          : value === target.value;
  return { name, value, unit, target: target?.value ?? null, comparison: target?.comparison ?? null, met };
}

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    load: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Times `run` `runs` times after `warmup` untimed runs, one after the other: p50, p95 and the slowest, in ms. */
export async function timeRuns(run: () => Promise<unknown>, runs: number, warmup: number): Promise<{ p50: number; p95: number; max: number }> {
  for (let i = 0; i < warmup; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: ms.at(-1)! };
}

/** Writes `.scratch/bench/<benchmark>.json` and returns its path. */
export function writeReport(benchmark: string, figures: readonly Figure[], dir = join('.scratch', 'bench')): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${benchmark}.json`);
  writeFileSync(path, `${JSON.stringify({ benchmark, date: new Date().toISOString(), machine: machine(), figures }, null, 2)}\n`);
  return path;
}
