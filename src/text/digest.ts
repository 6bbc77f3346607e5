/**
 * Digests of derived rows' sources: the index run (`scripts/search-index.ts`) keeps one beside
 * each search document, feed change and item watch row it writes, and writes again only those
 * whose digest changed (`npm run search:index -- --changed`).
 */

/**
 * 53 bits of a string's hash (cyrb53: two 32-bit multiply-xor lanes), seeded. Plain JavaScript:
 * this module also runs in the Worker, where node:crypto's hashes are not to be relied on.
 */
function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * A digest of a string: 106 bits (two seeds of `hash53`), as 28 hex digits. Not cryptographic:
 * it tells whether derived rows are still those of their source (the index run's own output,
 * from the publisher's content); a chance match is 2^-106 per changed record.
 */
export function digestOf(text: string): string {
  return hash53(text, 1).toString(16).padStart(14, '0') + hash53(text, 2).toString(16).padStart(14, '0');
}

