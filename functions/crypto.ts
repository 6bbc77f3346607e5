/**
 * Cryptography through WebCrypto, so the same code runs in Node and in Workers: AES-GCM for
 * reporters' contact details at rest, salted SHA-256 for client identities in rate limits.
 *
 * Hashes (SHA-256, HMAC) of short texts are taken several times per request, and a named
 * complaint's contact is encrypted (AES-GCM). WebCrypto's are
 * asynchronous jobs, which in Node cost a thread-pool round trip each (about a tenth of an intake
 * request's CPU): where Node's own `crypto` is at hand (`process.getBuiltinModule`, Node ≥ 22.3)
 * they are computed synchronously with it instead. Same algorithms, same hex: a test compares both.
 */

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Imports a 256-bit key given as base64 (the CONTACT_ENCRYPTION_KEY secret). */
export async function importContactKey(base64: string): Promise<CryptoKey> {
  const raw = fromBase64(base64);
  if (raw.length !== 32) throw new Error('CONTACT_ENCRYPTION_KEY 应为 32 字节的 base64 编码');
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** A new random 256-bit key as base64, for generating secrets. */
export function newKeyBase64(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

const encoder = new TextEncoder();

type NodeCrypto = typeof import('node:crypto');
/** Node's `crypto` when running in Node; undefined on Workers (where `process` may be a polyfill without it). */
const nodeCrypto = ((): NodeCrypto | undefined => {
  try {
    const found = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
    return typeof found?.createHash === 'function' && typeof found.createHmac === 'function' && typeof found.createCipheriv === 'function' && typeof found.KeyObject?.from === 'function' ? found : undefined;
  } catch {
    return undefined;
  }
})();

/** Whether Node's AES-GCM may be used (see encryptJson). */
let nodeAes = true;

/**
 * Encrypts a JSON value. `context` (the complaint id) is bound as additional
 * data, so a ciphertext copied onto another row does not decrypt.
 * Format: v1.<iv base64>.<ciphertext base64>
 */
export async function encryptJson(key: CryptoKey, value: unknown, context: string, webCryptoOnly = false): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = encoder.encode(JSON.stringify(value));
  const additionalData = encoder.encode(context);
  // In Node, synchronously with its own crypto (the same AES-256-GCM; WebCrypto's output is the
  // ciphertext followed by the 16-byte tag, and so is this): intake encrypts on every named complaint.
  // Workers with Node compatibility have a node:crypto whose KeyObject.from does not take a
  // WebCrypto key: the first failure there turns this path off for the isolate.
  if (nodeCrypto && nodeAes && !webCryptoOnly) {
    try {
      const cipher = nodeCrypto.createCipheriv('aes-256-gcm', nodeCrypto.KeyObject.from(key), iv, { authTagLength: 16 });
      cipher.setAAD(additionalData);
      const ct = new Uint8Array(Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]));
      return `v1.${toBase64(iv)}.${toBase64(ct)}`;
    } catch {
      nodeAes = false;
    }
  }
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, data);
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(ct))}`;
}

export async function decryptJson<T>(key: CryptoKey, text: string, context: string): Promise<T> {
  const [version, iv, ct] = text.split('.');
  if (version !== 'v1' || !iv || !ct) throw new Error('无法识别的密文格式');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(context) }, key, fromBase64(ct));
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}


const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** Hex SHA-256 of a text (UTF-8). `webCryptoOnly` is for the test that the two paths agree. */
export async function sha256HexOf(text: string, webCryptoOnly = false): Promise<string> {
  if (nodeCrypto && !webCryptoOnly) return nodeCrypto.createHash('sha256').update(text, 'utf8').digest('hex');
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Hex HMAC-SHA256 of a text (UTF-8) under a secret (UTF-8). */
export async function hmacHexOf(secret: string, text: string, webCryptoOnly = false): Promise<string> {
  if (nodeCrypto && !webCryptoOnly) return nodeCrypto.createHmac('sha256', secret).update(text, 'utf8').digest('hex');
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

/** Hex SHA-256 of salt and value: how a client's address is kept (never the address itself). */
export function saltedHash(salt: string, value: string): Promise<string> {
  return sha256HexOf(`${salt}\u0000${value}`);
}

/**
 * Password hashing: PBKDF2-SHA256 with a random 16-byte salt. 100,000
 * iterations is the most Workers' WebCrypto allows; the count is stored with
 * the hash so it can be raised later without invalidating old hashes.
 */
export const PBKDF2_ITERATIONS = 100_000;

async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2-sha256$${iterations}$${toBase64(salt)}$${toBase64(await pbkdf2(password, salt, iterations))}`;
}

/** Compares in constant time with respect to the hash contents. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iter || !salt || !hash) return false;
  const actual = await pbkdf2(password, fromBase64(salt), Number(iter));
  const expected = fromBase64(hash);
  if (actual.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < actual.length; i++) diff |= actual[i]! ^ expected[i]!;
  return diff === 0;
}

/** A random token (256 bits) as URL-safe base64, for sessions and CSRF. */
export function randomToken(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Hex HMAC-SHA256 of a value under a secret (CLIENT_HASH_SALT): a keyed hash, so that a stored
 * hash of a guessable value (an e-mail address) cannot be checked against guesses without the
 * secret, and a link's signature cannot be made without it. `purpose` keeps uses apart.
 */
export function keyedHash(secret: string, purpose: string, value: string): Promise<string> {
  return hmacHexOf(secret, `${purpose}\u0000${value}`);
}

/** Hex SHA-256 (of a random token: how one-time tokens are kept, never the token itself). */
export function sha256Hex(value: string): Promise<string> {
  return sha256HexOf(value);
}

/** Equal strings, compared without stopping at the first difference. */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
