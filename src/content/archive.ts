/**
 * The archived texts of the sources (content/archive/<archivedCopy>): the
 * exact bytes the portal was built from, with their SHA-256, and where in
 * them a quotation stands (its line), for source pages and cite links.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTENT_DIR } from './load.ts';

export interface ArchivedText {
  file: string;
  bytes: number;
  sha256: string;
  /** The exact bytes. */
  data: Buffer;
  text: string;
  lines: string[];
}

export const ARCHIVE_DIR = 'archive';

const cache = new Map<string, ArchivedText | undefined>();

/** The archived copy named `file` in the content folder, or undefined when it is not there. */
export function readArchive(file: string, root = CONTENT_DIR): ArchivedText | undefined {
  const path = join(root, ARCHIVE_DIR, file);
  if (cache.has(path)) return cache.get(path);
  let found: ArchivedText | undefined;
  if (/^[\w.-]+$/.test(file) && existsSync(path)) {
    const data = readFileSync(path);
    const text = data.toString('utf8');
    found = { file, data, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), text, lines: text.split('\n') };
  }
  cache.set(path, found);
  return found;
}

/** The 1-based line on which a verbatim quotation starts, or undefined when it is not in the text. */
export function lineOf(archive: ArchivedText, quote: string | undefined): number | undefined {
  if (!quote) return undefined;
  const at = archive.text.indexOf(quote);
  if (at < 0) return undefined;
  return archive.text.slice(0, at).split('\n').length;
}
