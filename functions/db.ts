/**
 * The database connection: libSQL through drizzle-orm. A `file:` URL is the
 * embedded default in Node; `libsql://` (Turso) with an auth token in production.
 */
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from '../db/schema.ts';

export type Database = LibSQLDatabase<typeof schema> & { $client: Client };

export function openDatabase(url: string, authToken?: string): Database {
  const client = createClient(authToken ? { url, authToken } : { url });
  return drizzle(client, { schema });
}
