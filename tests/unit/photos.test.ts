import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkPhoto, PHOTO_LIMITS, PhotoError, sniffImageType, stripImageMetadata, type PhotoType } from '../../src/domain/photos.ts';

// Hand-assembled images: strings are written as Latin-1 bytes.
type Part = string | readonly number[] | Uint8Array;
const bytes = (...parts: Part[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [...p])));
const has = (b: Uint8Array, text: string) => Buffer.from(b).includes(text, 0, 'latin1');
const be32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The error code a function throws, or undefined. */
function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PhotoError);
    return (e as PhotoError).code;
  }
  return undefined;
}

// --- JPEG: marker segments, length counts itself ----------------------------
const seg = (marker: number, ...payload: Part[]) => {
  const body = bytes(...payload);
  return bytes([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff], body);
};
const SOI = bytes([0xff, 0xd8]);
const EOI = bytes([0xff, 0xd9]);
const app0 = seg(0xe0, 'JFIF\0', [1, 1, 0, 0, 72, 0, 72, 0, 0]);
const exif = seg(0xe1, 'Exif\0\0', 'MM\0*', be32(8), 'GPSInfo 39N 116E');
const xmp = seg(0xe1, 'http://ns.adobe.com/xap/1.0/\0', '<x:xmpmeta>GPSLatitude</x:xmpmeta>');
const icc = seg(0xe2, 'ICC_PROFILE\0', [1, 1], 'profile data');
const mpf = seg(0xe2, 'MPF\0', 'MM\0*');
const adobe = seg(0xee, 'Adobe', [0, 100, 0, 0, 0, 0, 2]);
const iptc = seg(0xed, 'Photoshop 3.0\0', '8BIM', 'Beijing');
const com = seg(0xfe, 'Taken from my balcony');
const dqt = seg(0xdb, [0], new Array(64).fill(1));
const sof = seg(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
const dht = seg(0xc4, [0x00, 1], new Array(15).fill(0), [0]);
const sos = seg(0xda, [1, 1, 0x00, 0, 63, 0]);
// Entropy-coded data with a stuffed FF (FF 00) and a restart marker (FF D0).
const scan = bytes([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]);
const jpeg = bytes(SOI, app0, exif, icc, com, dqt, sof, dht, sos, scan, EOI);

// --- PNG: length, type, data, CRC of type and data --------------------------
const chunk = (type: string, ...data: Part[]) => {
  const td = bytes(type, ...data);
  return bytes(be32(td.length - 4), td, be32(crc32(td)));
};
const PNG_SIG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ihdr = chunk('IHDR', be32(1), be32(1), [8, 0, 0, 0, 0]); // 1×1 greyscale
const idat = chunk('IDAT', deflateSync(Uint8Array.from([0, 0x80]))); // filter 0, one grey pixel
const iend = chunk('IEND');
const png = bytes(PNG_SIG, ihdr, chunk('tEXt', 'Author\0Zhang San'), chunk('eXIf', 'MM\0*', 'GPSInfo'), chunk('tIME', [7, 234, 11, 23, 8, 30, 0]), idat, iend);

// --- WebP: RIFF chunks, little-endian sizes, padded to even length ----------
const riffChunk = (fourcc: string, ...data: Part[]) => {
  const d = bytes(...data);
  return bytes(fourcc, le32(d.length), d, d.length % 2 ? [0] : []);
};
const riff = (...chunks: Uint8Array[]) => {
  const body = bytes('WEBP', ...chunks);
  return bytes('RIFF', le32(body.length), body);
};
const ALPHA = 0x10;
const vp8x = (flags: number) => riffChunk('VP8X', [flags, 0, 0, 0], [0, 0, 0], [0, 0, 0]); // 1×1 canvas
const vp8l = riffChunk('VP8L', [0x2f, 0, 0, 0, 0]); // odd size: padded
const webpExif = riffChunk('EXIF', 'MM\0*', 'GPSInfo'); // odd size: padded
const webpXmp = riffChunk('XMP ', '<x:xmpmeta>GPSLatitude</x:xmpmeta>');
const webp = riff(vp8x(ALPHA | 0x08 | 0x04), vp8l, webpExif, webpXmp);

const strip = (b: Uint8Array) => stripImageMetadata(b, sniffImageType(b)!);

describe('photo limits and types', () => {
  it('allows three photos of at most 5 MB each', () => {
    expect(PHOTO_LIMITS).toEqual({ maxCount: 3, maxBytes: 5 * 1024 * 1024 });
  });

  it('knows a photo by its first bytes, not its name or declared type', () => {
    expect(sniffImageType(jpeg)).toBe('image/jpeg');
    expect(sniffImageType(png)).toBe('image/png');
    expect(sniffImageType(webp)).toBe('image/webp');
    // A PNG uploaded as "photo.jpg" with type image/jpeg is a PNG.
    const named = checkPhoto(png, 'image/jpeg');
    expect(named.type).toBe('image/png');
    expect(named.removed).toEqual(['tEXt', 'eXIf', 'tIME']);
    expect(sniffImageType(bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0]))).toBeNull();
    expect(sniffImageType(bytes('RIFF', le32(4), 'WAVE'))).toBeNull();
    expect(sniffImageType(new Uint8Array())).toBeNull();
  });

  it('refuses text, GIF and anything else as unsupported, with a Chinese message', () => {
    const text = new TextEncoder().encode('<?php system($_GET["c"]); ?>');
    expect(codeOf(() => checkPhoto(text, 'image/jpeg'))).toBe('unsupported_type');
    expect(codeOf(() => checkPhoto(bytes('GIF89a', [1, 0, 1, 0, 0, 0, 0, 0x3b]), 'image/gif'))).toBe('unsupported_type');
    expect(codeOf(() => checkPhoto(new Uint8Array()))).toBe('unsupported_type');
    expect(codeOf(() => stripImageMetadata(png, 'image/gif' as PhotoType))).toBe('unsupported_type');
    expect(() => checkPhoto(text)).toThrow('只能上传 JPEG、PNG 或 WebP 格式的照片');
  });

  it('refuses a photo over 5 MB before reading it, and accepts one of exactly 5 MB', () => {
    // Zeros in the entropy-coded data keep the file valid at any size.
    const ofSize = (n: number) => bytes(SOI, dqt, sof, dht, sos, new Uint8Array(n - jpeg.length + app0.length + exif.length + icc.length + com.length), scan, EOI);
    const fits = ofSize(PHOTO_LIMITS.maxBytes);
    expect(fits.length).toBe(PHOTO_LIMITS.maxBytes);
    // Compared as buffers: a deep equality over 5 MB element by element takes seconds.
    expect(Buffer.from(checkPhoto(fits).bytes).equals(Buffer.from(fits))).toBe(true);
    const over = ofSize(PHOTO_LIMITS.maxBytes + 1);
    expect(codeOf(() => checkPhoto(over))).toBe('too_large');
    expect(() => checkPhoto(over)).toThrow('每张照片不能超过 5 MB');
    expect(codeOf(() => checkPhoto(new Uint8Array(PHOTO_LIMITS.maxBytes + 1)))).toBe('too_large'); // even before sniffing
  });
});

describe('JPEG', () => {
  it('drops EXIF (with GPS) and comments, keeps JFIF, the ICC profile, tables and image data byte for byte', () => {
    const out = checkPhoto(jpeg, 'image/jpeg');
    expect(out.type).toBe('image/jpeg');
    expect(out.removed).toEqual(['APP1 Exif', 'COM']);
    expect(out.bytes).toEqual(bytes(SOI, app0, icc, dqt, sof, dht, sos, scan, EOI));
    for (const text of ['Exif', 'GPS', 'balcony']) expect(has(out.bytes, text)).toBe(false);
  });

  it('drops XMP, IPTC, multi-picture data and what follows EOI; keeps the Adobe colour transform', () => {
    const trailer = bytes(SOI, exif, sos, scan, EOI); // a second image (e.g. a depth map) with its own EXIF
    const out = strip(bytes(SOI, app0, xmp, mpf, iptc, adobe, dqt, sof, sos, scan, EOI, trailer));
    expect(out.removed).toEqual(['APP1 XMP', 'APP2', 'APP13', 'data after EOI']);
    expect(out.bytes).toEqual(bytes(SOI, app0, adobe, dqt, sof, sos, scan, EOI));
  });

  it('removes the thumbnail a JFIF header may carry, keeping the density', () => {
    const withThumb = seg(0xe0, 'JFIF\0', [1, 2, 1, 0, 96, 0, 96, 1, 1], [0xaa, 0xbb, 0xcc]);
    const out = strip(bytes(SOI, withThumb, sof, sos, scan, EOI));
    expect(out.removed).toEqual(['JFIF thumbnail']);
    expect(out.bytes).toEqual(bytes(SOI, seg(0xe0, 'JFIF\0', [1, 2, 1, 0, 96, 0, 96, 0, 0]), sof, sos, scan, EOI));
  });

  it('walks every scan of a progressive JPEG, past fill bytes (FF FF) before a marker', () => {
    const out = strip(bytes(SOI, sof, sos, scan, [0xff, 0xff], dht, com, sos, scan, EOI));
    expect(out.removed).toEqual(['COM']);
    expect(out.bytes).toEqual(bytes(SOI, sof, sos, scan, [0xff, 0xff], dht, sos, scan, EOI));
  });

  it('strips a real photo editor file: Exif and Photoshop segments go, the rest is unchanged', () => {
    const photo = new Uint8Array(readFileSync(new URL('../fixtures/photos/flower-of-life.jpg', import.meta.url)));
    expect(has(photo, 'Exif')).toBe(true);
    const out = checkPhoto(photo, 'image/jpeg');
    expect(out.removed).toEqual(['APP1 Exif', 'APP13']);
    expect(has(out.bytes, 'Exif')).toBe(false);
    expect(has(out.bytes, 'Photoshop')).toBe(false);
    // SOI + APP0 (20 bytes), then from SOF0 (offset 0xdc) to the end.
    expect(out.bytes).toEqual(bytes(photo.subarray(0, 20), photo.subarray(0xdc)));
    expect(strip(out.bytes)).toEqual({ bytes: out.bytes, removed: [] });
  });

  it('refuses broken structure as corrupt', () => {
    const corrupt = (b: Uint8Array) => codeOf(() => stripImageMetadata(b, 'image/jpeg'));
    expect(corrupt(bytes(SOI, app0, sof, EOI))).toBe('corrupt_image'); // no image data
    expect(corrupt(bytes(SOI, [0xff, 0xe1, 0, 1], sos, scan, EOI))).toBe('corrupt_image'); // length < 2
    expect(corrupt(bytes(SOI, [0xff, 0xe1, 0x40, 0], sos, scan, EOI))).toBe('corrupt_image'); // length past the end
    expect(corrupt(bytes(SOI, [0x00], sos, scan, EOI))).toBe('corrupt_image'); // no marker
    expect(corrupt(bytes(SOI, SOI, sos, scan, EOI))).toBe('corrupt_image');
    expect(corrupt(png)).toBe('corrupt_image'); // declared JPEG, is not
    expect(codeOf(() => stripImageMetadata(jpeg, 'image/jpeg'))).toBeUndefined();
  });
});

describe('PNG', () => {
  it('drops text, EXIF and time chunks; the others keep their bytes and CRCs', () => {
    const out = strip(png);
    expect(out.removed).toEqual(['tEXt', 'eXIf', 'tIME']);
    expect(out.bytes).toEqual(bytes(PNG_SIG, ihdr, idat, iend));
    for (const text of ['Author', 'Zhang', 'GPS', 'tEXt', 'eXIf']) expect(has(out.bytes, text)).toBe(false);
  });

  it('drops what follows IEND', () => {
    const out = strip(bytes(PNG_SIG, ihdr, idat, iend, 'Exif GPS hidden'));
    expect(out.removed).toEqual(['data after IEND']);
    expect(out.bytes).toEqual(bytes(PNG_SIG, ihdr, idat, iend));
  });

  it('refuses broken structure as corrupt', () => {
    const corrupt = (b: Uint8Array) => codeOf(() => stripImageMetadata(b, 'image/png'));
    expect(corrupt(bytes(PNG_SIG, ihdr, idat))).toBe('corrupt_image'); // no IEND
    expect(corrupt(bytes(PNG_SIG, idat, ihdr, iend))).toBe('corrupt_image'); // IHDR not first
    expect(corrupt(bytes(PNG_SIG, ihdr, be32(0xfffffff0), 'tEXt', 'x', iend))).toBe('corrupt_image'); // length past the end
    expect(corrupt(bytes(PNG_SIG, ihdr, chunk('t3Xt', 'x'), iend))).toBe('corrupt_image'); // not a chunk type
    expect(corrupt(jpeg)).toBe('corrupt_image');
  });
});

describe('WebP', () => {
  it('drops EXIF and XMP chunks, clears their VP8X flags and fixes the RIFF size', () => {
    const before = webp.slice();
    const out = checkPhoto(webp, 'image/webp');
    expect(out.removed).toEqual(['EXIF', 'XMP ']);
    expect(out.bytes).toEqual(riff(vp8x(ALPHA), vp8l)); // alpha flag kept; VP8L and its padding byte unchanged
    expect(out.bytes[20]).toBe(ALPHA);
    expect(out.bytes.length - 8).toBe(Buffer.from(out.bytes).readUInt32LE(4));
    for (const text of ['EXIF', 'XMP', 'GPS']) expect(has(out.bytes, text)).toBe(false);
    expect(webp).toEqual(before); // the upload itself is not changed
  });

  it('steps over padding after odd-size chunks in any order, and drops what follows the RIFF', () => {
    const out = strip(bytes(riff(vp8x(0x08), webpExif, vp8l), 'trailing GPS'));
    expect(out.removed).toEqual(['EXIF', 'data after RIFF']);
    expect(out.bytes).toEqual(riff(vp8x(0), vp8l));
  });

  it('refuses broken structure as corrupt', () => {
    const corrupt = (b: Uint8Array) => codeOf(() => stripImageMetadata(b, 'image/webp'));
    expect(corrupt(riff())).toBe('corrupt_image'); // no chunk
    expect(corrupt(riff(webpExif, vp8l))).toBe('corrupt_image'); // image chunk not first
    expect(corrupt(riff(vp8x(0), bytes('VP8L', le32(100), [0x2f])))).toBe('corrupt_image'); // chunk past the end
    expect(corrupt(riff(riffChunk('VP8X', [0, 0, 0, 0])))).toBe('corrupt_image'); // VP8X too short
    expect(corrupt(bytes('RIFF', le32(4000), 'WEBP', vp8l))).toBe('corrupt_image'); // RIFF size past the end
    expect(corrupt(jpeg)).toBe('corrupt_image');
  });
});

describe('all formats', () => {
  const samples = { 'image/jpeg': jpeg, 'image/png': png, 'image/webp': webp } as const;

  it.each(Object.entries(samples))('%s: stripping twice changes nothing more', (_type, sample) => {
    const once = strip(sample);
    expect(once.removed.length).toBeGreaterThan(0);
    expect(strip(once.bytes)).toEqual({ bytes: once.bytes, removed: [] });
  });

  it.each(Object.entries(samples))('%s: every truncation is refused as corrupt', (type, sample) => {
    for (let n = 0; n < sample.length; n++) {
      expect(codeOf(() => stripImageMetadata(sample.subarray(0, n), type as PhotoType)), `first ${n} bytes`).toBe('corrupt_image');
    }
    expect(() => stripImageMetadata(sample.subarray(0, sample.length - 1), type as PhotoType)).toThrow('照片文件已损坏或不完整，请重新选择');
  });

  it.each(Object.entries(samples))('%s: reads a view into a larger buffer', (_type, sample) => {
    const view = bytes([1, 2, 3], sample, [4, 5]).subarray(3, 3 + sample.length);
    expect(strip(view)).toEqual(strip(sample));
  });
});
