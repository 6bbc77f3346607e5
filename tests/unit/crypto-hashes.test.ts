/**
 * Hashes are taken with Node's own crypto where it is at hand and with WebCrypto elsewhere
 * (Workers): both must give the same hex, or a rate-limit bucket, an idempotency key or an
 * unsubscribe link made in one runtime would not be found in the other.
 */
import { describe, expect, it } from 'vitest';
import { hmacHexOf, keyedHash, saltedHash, sha256HexOf } from '../../functions/crypto.ts';

const TEXTS = ['', 'abc', '198.51.100.7', 'idempotency-key\u0000订阅者@example.net', '𠀀 emoji 😀 and NUL \u0000', 'x'.repeat(10_000)];

describe('hashes', () => {
  it('SHA-256 matches the standard vector and agrees across both paths', async () => {
    expect(await sha256HexOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const t of TEXTS) expect(await sha256HexOf(t), t.slice(0, 20)).toBe(await sha256HexOf(t, true));
  });

  it('HMAC-SHA256 matches RFC 4231 test case 2 and agrees across both paths', async () => {
    expect(await hmacHexOf('Jefe', 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    for (const t of TEXTS) expect(await hmacHexOf('秘密 salt', t), t.slice(0, 20)).toBe(await hmacHexOf('秘密 salt', t, true));
  });

  it('keeps the salted and keyed hashes as they were (stored values stay valid)', async () => {
    expect(await saltedHash('salt', 'value')).toBe(await sha256HexOf('salt\u0000value', true));
    expect(await keyedHash('secret', 'unsubscribe', 'id')).toBe(await hmacHexOf('secret', 'unsubscribe\u0000id', true));
  });
});

describe('contact encryption', () => {
  it('is the same AES-256-GCM in both paths: each decrypts what the other encrypted, and a wrong context or key fails', async () => {
    const { decryptJson, encryptJson, importContactKey, newKeyBase64 } = await import('../../functions/crypto.ts');
    const key = await importContactKey(newKeyBase64());
    const value = { name: '张三', phone: '13912345678', email: 'zhang@example.net' };
    for (const webCryptoOnly of [false, true]) {
      const sealed = await encryptJson(key, value, 'complaint-1', webCryptoOnly);
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
      expect(await decryptJson(key, sealed, 'complaint-1')).toEqual(value);
      await expect(decryptJson(key, sealed, 'complaint-2')).rejects.toThrow();
      await expect(decryptJson(await importContactKey(newKeyBase64()), sealed, 'complaint-1')).rejects.toThrow();
    }
  });
});
