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
    expect(PHOTO_LIMITS).toEqual({ maxCount: 3, maxBytes: 5 * 1024 * 1024, maxPixels: 40_000_000 });
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
    expect(strip(out.bytes)).toEqual({ bytes: out.bytes, removed: [], width: 161, height: 161, orientation: 1 });
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
    expect(strip(once.bytes)).toEqual({ ...once, removed: [] });
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

// --- Builders for the allow-list, orientation and pixel-limit tests ---------

/** IHDR of a given size: 8-bit, colour type `colour` (0 grey, 2 RGB, 3 palette, 6 RGBA). */
const ihdrOf = (width: number, height: number, colour = 0) => chunk('IHDR', be32(width), be32(height), [8, colour, 0, 0, 0]);
/** SOF0 of a given size, one component. */
const sofOf = (width: number, height: number, marker = 0xc0) => seg(marker, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
const le24 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff];
/** VP8X with a canvas of the given size (stored as size − 1). */
const vp8xOf = (flags: number, width: number, height: number) => riffChunk('VP8X', [flags, 0, 0, 0], le24(width - 1), le24(height - 1));
/** A lossless bitstream header: signature 2F, 14 bits width − 1, 14 bits height − 1, alpha hint, version 0. */
const vp8lOf = (width: number, height: number) => {
  const bits = (width - 1) | ((height - 1) << 14);
  return riffChunk('VP8L', [0x2f, bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, (bits >>> 24) & 0x0f], [0]);
};
/** A lossy key frame header: frame tag (key frame), start code 9D 01 2A, 14-bit width and height. */
const vp8Of = (width: number, height: number) => riffChunk('VP8 ', [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, width & 0xff, width >> 8, height & 0xff, height >> 8]);
/** An animation frame at (0, 0) of the given size, holding the given chunks. */
const anmf = (width: number, height: number, ...chunks: Uint8Array[]) => riffChunk('ANMF', le24(0), le24(0), le24(width - 1), le24(height - 1), le24(100), [0], ...chunks);

/**
 * An EXIF (TIFF) block as a phone writes it: IFD0 with Make, Orientation (or,
 * when null, ResolutionUnit in its place) and a pointer to the GPS IFD
 * (latitude 36°7′24″ N); IFD1 with a thumbnail.
 */
function exifBlock(order: 'II' | 'MM', orientation: number | null): Uint8Array {
  const little = order === 'II';
  const u16 = (n: number) => (little ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]);
  const u32 = (n: number) => (little ? le32(n) : be32(n));
  const entry = (tag: number, type: number, count: number, value: number[]) => [...u16(tag), ...u16(type), ...u32(count), ...value, ...new Array(4 - value.length).fill(0)];
  // Layout: header 8, IFD0 at 8 (3 entries: 42 bytes), GPS IFD at 50 (2 entries: 30), IFD1 at 80 (2 entries: 30), then data.
  const make = 110;
  const latitude = make + 6;
  const thumbnail = latitude + 24;
  const thumb = bytes(SOI, 'THUMBNAIL of the balcony', EOI);
  return bytes(
    order, u16(42), u32(8),
    u16(3), entry(0x010f, 2, 6, u32(make)), orientation === null ? entry(0x0128, 3, 1, u16(2)) : entry(0x0112, 3, 1, u16(orientation)), entry(0x8825, 4, 1, u32(50)), u32(80),
    u16(2), entry(0x0001, 2, 2, [0x4e, 0]), entry(0x0002, 5, 3, u32(latitude)), u32(0),
    u16(2), entry(0x0201, 4, 1, u32(thumbnail)), entry(0x0202, 4, 1, u32(thumb.length)), u32(0),
    'Apple\0', [36, 1, 7, 1, 24, 1].flatMap(u32), thumb,
  );
}
/** What no output may contain: camera, GPS latitude (as written above), thumbnail. */
const exifSecrets = (b: Uint8Array) => ['Apple', 'THUMBNAIL', 'balcony', 'GPS'].filter((t) => has(b, t));

/** Reads IFD0 of an EXIF (TIFF) block, independently of the code under test: tag → first value, and the next-IFD offset. */
function readIfd0(tiff: Uint8Array): { tags: Map<number, number>; next: number } {
  const little = ascii(tiff, 0, 2) === 'II';
  expect(['II', 'MM']).toContain(ascii(tiff, 0, 2));
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  expect(view.getUint16(2, little)).toBe(42);
  const ifd = view.getUint32(4, little);
  const count = view.getUint16(ifd, little);
  const tags = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + 12 * i;
    const type = view.getUint16(e + 2, little);
    tags.set(view.getUint16(e, little), type === 3 ? view.getUint16(e + 8, little) : view.getUint32(e + 8, little));
  }
  return { tags, next: view.getUint32(ifd + 2 + 12 * count, little) };
}
const ascii = (b: Uint8Array, at: number, n: number) => Buffer.from(b.subarray(at, at + n)).toString('latin1');

/** The EXIF blocks in a JPEG's APP1 segments, read up to the first scan. */
function jpegExif(b: Uint8Array): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (let p = 2; b[p + 1] !== 0xda; ) {
    const end = p + 2 + ((b[p + 2]! << 8) | b[p + 3]!);
    if (b[p + 1] === 0xe1 && ascii(b, p + 4, 6) === 'Exif\0\0') found.push(b.subarray(p + 10, end));
    p = end;
  }
  return found;
}
/** A PNG's chunks in order: type and data. */
function pngChunks(b: Uint8Array): { type: string; data: Uint8Array }[] {
  const out = [];
  for (let p = 8; p < b.length; ) {
    const length = Buffer.from(b).readUInt32BE(p);
    out.push({ type: ascii(b, p + 4, 4), data: b.subarray(p + 8, p + 8 + length) });
    p += 12 + length;
  }
  return out;
}
/** A WebP's top-level chunks in order: FourCC and data. */
function webpChunks(b: Uint8Array): { fourcc: string; data: Uint8Array }[] {
  const out = [];
  for (let p = 12; p < b.length; ) {
    const size = Buffer.from(b).readUInt32LE(p + 4);
    out.push({ fourcc: ascii(b, p, 4), data: b.subarray(p + 8, p + 8 + size) });
    p += 8 + size + (size & 1);
  }
  return out;
}
/** The only EXIF block the output may hold: big-endian, IFD0 with Orientation = `o`, no next IFD. */
const minimalExif = (o: number) => bytes('MM\0*', be32(8), [0, 1], [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0], be32(0));

describe('allow-lists: only what the picture needs is copied', () => {
  it('PNG: drops an EXIF chunk spelled exIf, with its GPS position', () => {
    const out = strip(bytes(PNG_SIG, ihdr, chunk('exIf', exifBlock('MM', 1)), idat, iend));
    expect(out.removed).toEqual(['exIf']);
    expect(out.bytes).toEqual(bytes(PNG_SIG, ihdr, idat, iend));
    expect(exifSecrets(out.bytes)).toEqual([]);
  });

  it('PNG: keeps palette, transparency, colour, sBIT, pHYs and APNG chunks byte for byte; drops private, unknown and descriptive chunks', () => {
    const fctl = chunk('fcTL', be32(0), be32(1), be32(1), be32(0), be32(0), [0, 1, 0, 10, 0, 0]);
    const kept = [
      chunk('gAMA', be32(45455)), chunk('cHRM', ...Array.from({ length: 8 }, () => be32(1))), chunk('sRGB', [0]), chunk('iCCP', 'sRGB\0', [0], deflateSync(Uint8Array.from([1, 2, 3]))),
      chunk('cICP', [1, 13, 0, 1]), chunk('sBIT', [8, 8, 8]), chunk('pHYs', be32(2835), be32(2835), [1]), chunk('PLTE', [10, 20, 30]), chunk('tRNS', [128]),
      chunk('acTL', be32(1), be32(0)), fctl,
    ];
    const dropped = {
      bKGD: chunk('bKGD', [0]), hIST: chunk('hIST', [0, 1]), sPLT: chunk('sPLT', 'p\0', [8], [1, 2, 3, 4, 0, 1]),
      zTXt: chunk('zTXt', 'Comment\0', [0], deflateSync(Buffer.from('home address'))), iTXt: chunk('iTXt', 'XML:com.adobe.xmp\0', [0, 0], '\0\0', '<x:xmpmeta>GPSLatitude</x:xmpmeta>'),
      gpsL: chunk('gpsL', '36.1N 102.6E'), vpAg: chunk('vpAg', be32(1), be32(1), [0]), eXIF: chunk('eXIF', exifBlock('II', 1)),
    };
    const out = strip(bytes(PNG_SIG, ihdrOf(1, 1, 3), ...kept, ...Object.values(dropped), idat, iend));
    expect(out.removed).toEqual(Object.keys(dropped));
    expect(out.bytes).toEqual(bytes(PNG_SIG, ihdrOf(1, 1, 3), ...kept, idat, iend));
    for (const text of ['home', 'GPS', '36.1N', 'Apple']) expect(has(out.bytes, text)).toBe(false);
  });

  it('PNG: refuses an unknown critical chunk, a wrong CRC and a palette image without its palette', () => {
    const corrupt = (b: Uint8Array) => codeOf(() => stripImageMetadata(b, 'image/png'));
    expect(corrupt(bytes(PNG_SIG, ihdr, chunk('GPSx', 'home'), idat, iend))).toBe('corrupt_image');
    const badCrc = idat.slice();
    badCrc[badCrc.length - 1] = badCrc.at(-1)! ^ 1;
    expect(corrupt(bytes(PNG_SIG, ihdr, badCrc, iend))).toBe('corrupt_image');
    expect(corrupt(bytes(PNG_SIG, ihdrOf(1, 1, 3), idat, iend))).toBe('corrupt_image');
    expect(corrupt(bytes(PNG_SIG, chunk('IHDR', be32(1), be32(1), [3, 2, 0, 0, 0]), idat, iend))).toBe('corrupt_image'); // RGB at 3 bits
  });

  it('JPEG: keeps one JFIF header, DRI and the tables; drops JFXX, a second JFIF, a malformed Adobe segment and unknown APPn', () => {
    const dri = seg(0xdd, [0, 4]);
    const jfxx = seg(0xe0, 'JFXX\0', [0x10], 'thumbnail');
    const secondJfif = seg(0xe0, 'JFIF\0', [1, 1, 0, 0, 72, 0, 72, 0, 0]);
    const out = strip(bytes(SOI, app0, jfxx, secondJfif, seg(0xee, 'Adobe', [0, 100]), seg(0xe3, 'Meta GPS 36.1N'), seg(0xef, 'vendor'), dqt, sofOf(1, 1), dht, dri, sos, scan, EOI));
    expect(out.removed).toEqual(['APP0', 'APP0', 'APP14', 'APP3', 'APP15']);
    expect(out.bytes).toEqual(bytes(SOI, app0, dqt, sofOf(1, 1), dht, dri, sos, scan, EOI));
  });

  it('JPEG: refuses reserved and unknown markers as corrupt, lossless and hierarchical frames as unsupported', () => {
    const code = (...parts: Uint8Array[]) => codeOf(() => stripImageMetadata(bytes(SOI, ...parts, EOI), 'image/jpeg'));
    for (const marker of [0x02, 0xbf, 0xc8, 0xdc, 0xf0, 0xfd]) expect(code(seg(marker, 'GPS'), sof, sos, scan), marker.toString(16)).toBe('corrupt_image');
    for (const marker of [0xc3, 0xc5, 0xcb, 0xcf, 0xf7]) expect(code(sofOf(1, 1, marker), sos, scan), marker.toString(16)).toBe('unsupported_encoding');
    expect(code(seg(0xde, [0]), sof, sos, scan)).toBe('unsupported_encoding'); // DHP: hierarchical
    expect(code(sos, scan, sof, sos, scan)).toBe('corrupt_image'); // a scan before the frame header
    expect(code(sof, sof, sos, scan)).toBe('corrupt_image'); // two frames
    expect(() => strip(bytes(SOI, sofOf(1, 1, 0xc3), sos, scan, EOI))).toThrow('无损或分层 JPEG');
    expect(code(sofOf(1, 1, 0xc2), sos, scan, sos, scan)).toBeUndefined(); // progressive is fine
  });

  it('WebP: keeps VP8X (reserved bits cleared), ICCP, ALPH and the image; drops unknown chunks and EXIF/XMP under other spellings', () => {
    const iccp = riffChunk('ICCP', 'profile');
    const alph = riffChunk('ALPH', [0, 0xff]);
    const vp8 = vp8Of(1, 1);
    const input = riff(vp8xOf(0x20 | ALPHA | 0x08 | 0x04 | 0xc1, 1, 1), iccp, alph, vp8, riffChunk('exif', exifBlock('MM', 1)), riffChunk('XMP\0', '<x:xmpmeta>GPSLatitude</x:xmpmeta>'), riffChunk('GPS ', '36.1N'));
    const out = strip(input);
    expect(out.removed).toEqual(['exif', 'XMP\0', 'GPS ']);
    expect(out.bytes).toEqual(riff(vp8xOf(0x20 | ALPHA, 1, 1), iccp, alph, vp8));
    expect(exifSecrets(out.bytes)).toEqual([]);
  });

  it('WebP: the simple format is its image chunk alone', () => {
    const out = strip(riff(vp8l, riffChunk('ICCP', 'profile'), riffChunk('meta', 'Zhang San'), vp8Of(1, 1)));
    expect(out.removed).toEqual(['ICCP', 'meta', 'VP8 ']);
    expect(out.bytes).toEqual(riff(vp8l));
  });

  it('WebP: keeps an animation, drops unknown chunks inside a frame and rewrites that frame', () => {
    const anim = riffChunk('ANIM', [0, 0, 0, 0], [0, 0]);
    const clean = anmf(2, 2, vp8lOf(2, 2));
    const input = riff(vp8xOf(0x02, 2, 2), anim, clean, anmf(1, 1, riffChunk('GPS ', '36.1N'), vp8lOf(1, 1), riffChunk('note', 'x')), webpExif);
    const out = strip(input);
    expect(out.removed).toEqual(['ANMF/GPS ', 'ANMF/note', 'EXIF']);
    expect(out.bytes).toEqual(riff(vp8xOf(0x02, 2, 2), anim, clean, anmf(1, 1, vp8lOf(1, 1))));
    expect(out).toMatchObject({ width: 2, height: 2 });
    // A frame outside its canvas, or without an image, is broken.
    expect(codeOf(() => strip(riff(vp8xOf(0x02, 2, 2), anim, anmf(3, 1, vp8lOf(3, 1)))))).toBe('corrupt_image');
    expect(codeOf(() => strip(riff(vp8xOf(0x02, 2, 2), anim, anmf(1, 1, riffChunk('ALPH', [0])))))).toBe('corrupt_image');
  });
});

describe('zero bytes', () => {
  it('refuses a zero-byte file as empty, with a Chinese message', () => {
    expect(codeOf(() => checkPhoto(new Uint8Array()))).toBe('empty_file');
    expect(() => checkPhoto(new Uint8Array(), 'image/jpeg')).toThrow('文件是空的（0 字节），请重新选择');
  });
});

describe('pixel limit: 40 megapixels, read from the header', () => {
  const over = (f: () => unknown) => codeOf(f);

  it('refuses a 30000×30000 PNG (900 megapixels announced by a few bytes) with a Chinese message', () => {
    const huge = bytes(PNG_SIG, ihdrOf(30_000, 30_000), idat, iend);
    expect(over(() => checkPhoto(huge))).toBe('too_many_pixels');
    expect(() => checkPhoto(huge)).toThrow('照片为 30000×30000 像素（约 90000 万像素），超过每张 4000 万像素的上限，请缩小后重新上传');
  });

  it('accepts exactly 40 megapixels and refuses one row more, in PNG IHDR, JPEG SOF, WebP VP8X, VP8 and VP8L', () => {
    const png = (w: number, h: number) => bytes(PNG_SIG, ihdrOf(w, h), idat, iend);
    const jpg = (w: number, h: number) => bytes(SOI, dqt, sofOf(w, h), dht, sos, scan, EOI);
    const jpgProgressive = (w: number, h: number) => bytes(SOI, sofOf(w, h, 0xc2), sos, scan, EOI);
    const extended = (w: number, h: number) => riff(vp8xOf(0, w, h), vp8l);
    const lossless = (w: number, h: number) => riff(vp8lOf(w, h));
    const lossy = (w: number, h: number) => riff(vp8Of(w, h));
    for (const [name, make] of Object.entries({ png, jpg, jpgProgressive, extended, lossless, lossy })) {
      expect(strip(make(8000, 5000)), name).toMatchObject({ width: 8000, height: 5000 });
      expect(over(() => strip(make(8000, 5001))), name).toBe('too_many_pixels');
      expect(over(() => strip(make(5001, 8000))), name).toBe('too_many_pixels');
    }
    // A small canvas does not hide a big bitstream, nor a small animation a big frame.
    expect(over(() => strip(riff(vp8xOf(0, 1, 1), vp8lOf(10_000, 10_000))))).toBe('too_many_pixels');
    expect(over(() => strip(riff(vp8xOf(0x02, 8000, 5000), anmf(1, 1, vp8lOf(10_000, 10_000)))))).toBe('too_many_pixels');
  });

  it('refuses a size that cannot be read (zero width or height) as corrupt', () => {
    expect(over(() => strip(bytes(PNG_SIG, ihdrOf(0, 1), idat, iend)))).toBe('corrupt_image');
    expect(over(() => strip(bytes(PNG_SIG, ihdrOf(1, 0x80000000), idat, iend)))).toBe('corrupt_image');
    expect(over(() => strip(bytes(SOI, sofOf(1, 0), sos, scan, EOI)))).toBe('corrupt_image'); // height defined later (DNL)
    expect(over(() => strip(bytes(SOI, sofOf(0, 1), sos, scan, EOI)))).toBe('corrupt_image');
    expect(over(() => strip(bytes(SOI, seg(0xc0, [8, 0, 1, 0, 1, 0]), sos, scan, EOI)))).toBe('corrupt_image'); // no components
    expect(over(() => strip(riff(vp8Of(0, 1))))).toBe('corrupt_image');
    expect(over(() => strip(riff(riffChunk('VP8 ', [0x10, 0x02, 0x00, 0, 0, 0, 1, 0, 1, 0]))))).toBe('corrupt_image'); // no start code
    expect(over(() => strip(riff(riffChunk('VP8L', [0x2f, 0, 0, 0, 0xe0]))))).toBe('corrupt_image'); // unknown version
    expect(over(() => strip(bytes(SOI, sos, scan, EOI)))).toBe('corrupt_image'); // no frame header at all
  });
});

describe('orientation: kept alone in a new EXIF block, so portrait photos are not shown sideways', () => {
  it.each(['MM', 'II'] as const)('JPEG (%s): orientation 6 with GPS becomes an APP1 holding only the orientation', (order) => {
    const out = strip(bytes(SOI, app0, seg(0xe1, 'Exif\0\0', exifBlock(order, 6)), xmp, icc, dqt, sof, dht, sos, scan, EOI));
    expect(out.removed).toEqual(['APP1 Exif', 'APP1 XMP']);
    expect(out.orientation).toBe(6);
    // After the JFIF header, which must stay first.
    expect(out.bytes).toEqual(bytes(SOI, app0, seg(0xe1, 'Exif\0\0', minimalExif(6)), icc, dqt, sof, dht, sos, scan, EOI));
    const exifs = jpegExif(out.bytes);
    expect(exifs).toHaveLength(1);
    const { tags, next } = readIfd0(exifs[0]!);
    expect([...tags]).toEqual([[0x0112, 6]]); // no GPS pointer (0x8825), no Make
    expect(next).toBe(0); // no IFD1: no thumbnail
    expect(exifSecrets(out.bytes)).toEqual([]);
    expect(strip(out.bytes)).toEqual({ ...out, removed: ['APP1 Exif'] }); // stable when stripped again
  });

  it('JPEG: a phone-style photo written by exiftool (orientation 6, GPS, camera, thumbnail, XMP) keeps orientation 6 and nothing else', () => {
    const photo = new Uint8Array(readFileSync(new URL('../fixtures/photos/rotated-gps.jpg', import.meta.url)));
    expect(has(photo, 'iPhone')).toBe(true);
    const out = checkPhoto(photo);
    expect(out).toMatchObject({ type: 'image/jpeg', width: 161, height: 161, orientation: 6, removed: ['APP1 Exif', 'APP1 XMP'] });
    const [exif, ...more] = jpegExif(out.bytes);
    expect(more).toEqual([]);
    expect(exif).toEqual(minimalExif(6));
    expect([...readIfd0(exif!).tags]).toEqual([[0x0112, 6]]);
    // No JFIF header: the new APP1 comes right after SOI.
    expect([out.bytes[2], out.bytes[3]]).toEqual([0xff, 0xe1]);
    for (const text of ['Apple', 'iPhone', 'GPS', 'xmpmeta', '2026:11:20']) expect(has(out.bytes, text), text).toBe(false);
  });

  it.each([['eXIf'], ['exIf']])('PNG: orientation 6 from an %s chunk becomes an eXIf chunk before the image data', (name) => {
    const out = strip(bytes(PNG_SIG, ihdr, idat, chunk(name, exifBlock('II', 6)), iend));
    expect(out.removed).toEqual([name]);
    expect(out.orientation).toBe(6);
    expect(out.bytes).toEqual(bytes(PNG_SIG, ihdr, chunk('eXIf', minimalExif(6)), idat, iend)); // CRC included
    const exifs = pngChunks(out.bytes).filter((c) => c.type === 'eXIf');
    expect(exifs).toHaveLength(1);
    expect([...readIfd0(exifs[0]!.data).tags]).toEqual([[0x0112, 6]]);
    expect(exifSecrets(out.bytes)).toEqual([]);
    expect(strip(out.bytes)).toEqual({ ...out, removed: ['eXIf'] });
  });

  it('WebP: orientation 6 becomes an EXIF chunk holding only the orientation, announced by the VP8X flag', () => {
    for (const block of [exifBlock('MM', 6), bytes('Exif\0\0', exifBlock('II', 6))]) {
      const out = strip(riff(vp8xOf(ALPHA | 0x08 | 0x04, 1, 1), vp8l, riffChunk('EXIF', block), webpXmp));
      expect(out.removed).toEqual(['EXIF', 'XMP ']);
      expect(out.orientation).toBe(6);
      expect(out.bytes).toEqual(riff(vp8xOf(ALPHA | 0x08, 1, 1), vp8l, riffChunk('EXIF', minimalExif(6))));
      const chunks = webpChunks(out.bytes);
      expect(chunks.map((c) => c.fourcc)).toEqual(['VP8X', 'VP8L', 'EXIF']);
      expect(chunks[0]!.data[0]! & 0x08).toBe(0x08);
      expect([...readIfd0(chunks[2]!.data).tags]).toEqual([[0x0112, 6]]);
      expect(out.bytes.length - 8).toBe(Buffer.from(out.bytes).readUInt32LE(4));
      expect(exifSecrets(out.bytes)).toEqual([]);
    }
  });

  it('writes no EXIF at all when the orientation is 1, missing, out of range or unreadable', () => {
    const wrongType = exifBlock('MM', 6);
    wrongType[8 + 2 + 12 + 3] = 4; // Orientation as LONG: not what viewers read
    for (const block of [exifBlock('MM', 1), exifBlock('II', null), exifBlock('MM', 9), exifBlock('II', 0), wrongType, bytes('MM\0*', be32(4000)), bytes('XX\0*'), new Uint8Array()]) {
      const jpegOut = strip(bytes(SOI, seg(0xe1, 'Exif\0\0', block), sof, sos, scan, EOI));
      expect(jpegOut.bytes).toEqual(bytes(SOI, sof, sos, scan, EOI));
      expect(jpegOut.orientation).toBe(1);
      expect(strip(bytes(PNG_SIG, ihdr, chunk('eXIf', block), idat, iend)).bytes).toEqual(bytes(PNG_SIG, ihdr, idat, iend));
      expect(strip(riff(vp8xOf(0x08, 1, 1), vp8l, riffChunk('EXIF', block))).bytes).toEqual(riff(vp8xOf(0, 1, 1), vp8l));
    }
  });

  it('reads the orientation of the first EXIF block only, as viewers do', () => {
    const out = strip(bytes(SOI, seg(0xe1, 'Exif\0\0', exifBlock('MM', 1)), seg(0xe1, 'Exif\0\0', exifBlock('MM', 8)), sof, sos, scan, EOI));
    expect(out.orientation).toBe(1);
    expect(out.removed).toEqual(['APP1 Exif', 'APP1 Exif']);
  });
});
