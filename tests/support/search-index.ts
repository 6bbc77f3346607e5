/** A search index of documents (the content's, usually) on a real libSQL file in a temporary folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { CONTENT_SOURCE } from '../../src/search/content-docs.ts';
import { ensureSearchSchema, replaceDocuments, type SearchDocument } from '../../src/search/index-store.ts';

export interface TestSearchIndex {
  client: Client;
  /** The temporary folder (other databases of the test may go there too). */
  dir: string;
  close(): void;
}

export async function testSearchIndex(prefix: string, docs: readonly SearchDocument[]): Promise<TestSearchIndex> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const client = createClient({ url: `file:${join(dir, 'search.db')}` });
  await ensureSearchSchema(client);
  await replaceDocuments(client, CONTENT_SOURCE, docs);
  return {
    client,
    dir,
    close() {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
