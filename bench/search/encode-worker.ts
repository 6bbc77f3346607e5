/**
 * Worker thread of the scale benchmark: draws the synthetic documents in order (see
 * `synthetic.ts`) and tokenizes and encodes them a chunk at a time (`encodeChunk`), while the main
 * thread writes the previous chunk to the database. Messages: `{ count, source }` → `{ json,
 * count, chars }`, answered in the order asked.
 */
import { parentPort } from 'node:worker_threads';
import { encodeChunk } from '../../src/search/index-store.ts';
import { charsOf, syntheticDoc } from './synthetic.ts';

let next = 1;
parentPort!.on('message', ({ count, source }: { count: number; source: string }) => {
  const docs = Array.from({ length: count }, () => ({ ...syntheticDoc(next++), source }));
  const { json } = encodeChunk(docs);
  parentPort!.postMessage({ json, count, chars: docs.reduce((n, d) => n + charsOf(d), 0) });
});
