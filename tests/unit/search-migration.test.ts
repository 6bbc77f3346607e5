/**
 * The search tables exist twice on purpose: as SEARCH_SCHEMA_SQL (used by the
 * index command and tests on unmigrated databases) and as the committed
 * migrations (what production applies). The index is derived data, so a
 * change of its layout is a migration that drops it and creates it again
 * (0011, after 0003's first layout); this keeps the latest one and the code
 * the same.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEARCH_DIGEST_SQL, SEARCH_DROP_SQL, SEARCH_SCHEMA_SQL } from '../../src/search/index-store.ts';

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();

describe('migration 0011_search_scale.sql', () => {
  it('drops the index of before and holds every statement of SEARCH_SCHEMA_SQL, verbatim and in order', () => {
    const statements = readFileSync('db/migrations/0011_search_scale.sql', 'utf8')
      .split('--> statement-breakpoint')
      .map((sql) => normalise(sql.replace(/^--.*$/gm, '')))
      .filter(Boolean);
    expect(statements).toEqual([...SEARCH_DROP_SQL, ...SEARCH_SCHEMA_SQL].map(normalise));
  });
});

describe('migration 0015_index_digests.sql', () => {
  it('creates the search digests table exactly as SEARCH_DIGEST_SQL does', () => {
    const statements = readFileSync('db/migrations/0015_index_digests.sql', 'utf8')
      .split('--> statement-breakpoint')
      .map((sql) => normalise(sql.replace(/^--.*$/gm, '')))
      .filter((sql) => sql.includes('search_digests'));
    expect(statements).toEqual(SEARCH_DIGEST_SQL.map(normalise));
  });
});
