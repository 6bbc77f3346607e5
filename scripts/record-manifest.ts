/**
 * The manifest of scripts/record-files.ts (what it last wrote, path → key), read also by
 * scripts/astro-build.ts, which must keep those files when it prunes what Astro did not make.
 * Kept apart from the writer so the build wrapper does not load the content to read it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { astroCacheDir } from './astro-cache-dir.mjs';

export interface Manifest {
  outDir: string;
  code: string;
  /** URL path → key. */
  files: Record<string, string>;
}

/** The manifest's place for an adapter's build (one per adapter and content folder, as Astro's cache). */
export const recordManifestFile = (target: 'node' | 'cloudflare') => join(astroCacheDir(target), 'record-files.json');

export function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** The files the last run wrote into `outDir` (absolute paths), for the prune of scripts/astro-build.ts. */
export function recordOutputs(manifestFile: string, outDir: string): string[] {
  const m = readManifest(manifestFile);
  if (!m || m.outDir !== resolve(outDir)) return [];
  return Object.keys(m.files).map((path) => join(resolve(outDir), 'client', ...path.split('/').filter(Boolean)));
}

