/**
 * The search tables exist twice on purpose: as SEARCH_SCHEMA_SQL (used by the
 * index command and tests on unmigrated databases) and as the committed
 * migration 0003 (what production applies). This keeps the two the same.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEARCH_SCHEMA_SQL } from '../../src/search/index-store.ts';

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();

describe('migration 0003_search.sql', () => {
  it('holds every statement of SEARCH_SCHEMA_SQL, verbatim', () => {
    const migration = normalise(readFileSync('db/migrations/0003_search.sql', 'utf8').replace(/^--.*$/gm, ''));
    for (const statement of SEARCH_SCHEMA_SQL) expect(migration).toContain(normalise(statement));
  });
});
