/**
 * Complaint photos: which files are accepted, and removal of the metadata a
 * camera or phone writes into them. A photo taken at home carries the GPS
 * coordinates of the reporter's home in its EXIF block, the phone model, the
 * time, sometimes the owner's name and an uncropped thumbnail, so every photo
 * is stripped before it is stored — even though only staff see photos.
 *
 * Framework-free and runtime-free: only Uint8Array, so the same code runs in
 * Node and in Cloudflare Workers. The pixel data is never decoded or
 * re-encoded: metadata segments are cut out and everything else is copied
 * byte for byte.
 */

/** Limits published with the form and the API description. */
export const PHOTO_LIMITS = {
  /** Photos per complaint. */
  maxCount: 3,
  /** Bytes per photo (5 MiB), checked before the file is parsed. */
  maxBytes: 5 * 1024 * 1024,
} as const;

/** The accepted photo formats, as media types. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

export type PhotoErrorCode = 'unsupported_type' | 'corrupt_image' | 'too_large';

const MESSAGES: Record<PhotoErrorCode, string> = {
  unsupported_type: '只能上传 JPEG、PNG 或 WebP 格式的照片',
  corrupt_image: '照片文件已损坏或不完整，请重新选择',
  too_large: `每张照片不能超过 ${PHOTO_LIMITS.maxBytes / 1024 / 1024} MB`,
};

/** A photo that is refused; `message` is shown to the resident as is. */
export class PhotoError extends Error {
  override readonly name = 'PhotoError';
  readonly code: PhotoErrorCode;
  constructor(code: PhotoErrorCode, message: string = MESSAGES[code]) {
    super(message);
    this.code = code;
  }
}

/** The result of stripping: a new array (the input is not changed) and what was cut out. */
export interface StrippedPhoto {
  bytes: Uint8Array;
  /** Names of the removed segments or chunks, one per removal, e.g. 'APP1 Exif', 'tEXt', 'XMP '. */
  removed: string[];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The image type by its first bytes (magic numbers) only. The file name and the
 * type the browser declares are chosen by the sender and prove nothing.
 */
export function sniffImageType(bytes: Uint8Array): PhotoType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  return null;
}

/**
 * Removes the metadata from a photo of the given (sniffed) type. Throws a
 * `PhotoError` ('corrupt_image') when the file's structure is broken or
 * truncated, ('unsupported_type') for any other type.
 */
export function stripImageMetadata(bytes: Uint8Array, type: PhotoType): StrippedPhoto {
  switch (type) {
    case 'image/jpeg':
      return stripJpeg(bytes);
    case 'image/png':
      return stripPng(bytes);
    case 'image/webp':
      return stripWebp(bytes);
    default:
      throw new PhotoError('unsupported_type');
  }
}

/**
 * Checks one uploaded photo: size, type by content, structure; returns it
 * stripped of metadata. `declaredType` (the browser's Content-Type) is accepted
 * for convenience but deliberately not used: the bytes decide, so a PNG named
 * .jpg is stored as PNG and a script named .jpg is refused.
 */
export function checkPhoto(bytes: Uint8Array, _declaredType?: string): StrippedPhoto & { type: PhotoType } {
  if (bytes.length > PHOTO_LIMITS.maxBytes) throw new PhotoError('too_large');
  const type = sniffImageType(bytes);
  if (!type) throw new PhotoError('unsupported_type');
  return { type, ...stripImageMetadata(bytes, type) };
}

// ---------------------------------------------------------------------------
// JPEG: a sequence of marker segments (FF xx, then a 2-byte big-endian length
// that counts itself) up to SOS, then entropy-coded data in which FF is always
// followed by 00 (stuffing) or a restart marker; more segments may follow
// (progressive scans) until EOI.

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const COM = 0xfe;
const APP0 = 0xe0;
const APP15 = 0xef;

function stripJpeg(b: Uint8Array): StrippedPhoto {
  if (b[0] !== 0xff || b[1] !== SOI) corrupt();
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  const removed: string[] = [];
  let seenScan = false;
  let p = 2;
  for (;;) {
    if (b[p] !== 0xff) corrupt();
    while (b[p + 1] === 0xff) p++; // fill bytes before a marker
    if (p + 1 >= b.length) corrupt();
    const marker = b[p + 1]!;
    if (marker === EOI) {
      if (!seenScan) corrupt();
      parts.push(b.subarray(p, p + 2));
      // Anything after EOI is not part of the image; phones append further
      // images there (multi-picture thumbnails, depth maps) with their own EXIF.
      if (p + 2 < b.length) removed.push('data after EOI');
      break;
    }
    // Standalone markers (TEM, RSTn), a second SOI or a stuffed 00 do not belong here.
    if (marker === 0x00 || marker === 0x01 || marker === SOI || (marker >= 0xd0 && marker <= 0xd7)) corrupt();
    if (p + 4 > b.length) corrupt();
    const length = (b[p + 2]! << 8) | b[p + 3]!;
    const end = p + 2 + length;
    if (length < 2 || end > b.length) corrupt();
    const segment = b.subarray(p, end);
    const verdict = jpegSegment(marker, segment.subarray(4));
    if (verdict === 'keep') parts.push(segment);
    else if (verdict instanceof Uint8Array) {
      parts.push(verdict);
      removed.push('JFIF thumbnail');
    } else removed.push(verdict.drop);
    p = end;
    if (marker === SOS) {
      seenScan = true;
      const dataEnd = skipEntropyCodedData(b, p);
      parts.push(b.subarray(p, dataEnd));
      p = dataEnd;
    }
  }
  return { bytes: concat(parts), removed };
}

/** Whether to keep a segment, drop it (and under which name), or replace it. */
function jpegSegment(marker: number, payload: Uint8Array): 'keep' | { drop: string } | Uint8Array {
  if (marker === COM) return { drop: 'COM' }; // free text, often the editing software or a name
  if (marker < APP0 || marker > APP15) return 'keep'; // tables, frame and scan headers: needed to decode
  const n = marker - APP0;
  if (n === 0 && startsWith(payload, 'JFIF\0')) {
    // JFIF: pixel density only, but it may embed an uncropped thumbnail (3 bytes per pixel).
    if (payload.length < 14) return 'keep';
    if (payload[12] === 0 && payload[13] === 0) return 'keep';
    const header = new Uint8Array(18);
    header.set([0xff, APP0, 0, 16]);
    header.set(payload.subarray(0, 12), 4);
    return header;
  }
  // ICC colour profile: needed to show the colours right, says nothing about the reporter.
  if (n === 2 && startsWith(payload, 'ICC_PROFILE\0')) return 'keep';
  // Adobe: 12 bytes telling whether the colours are RGB, YCbCr or (inverted) CMYK;
  // without it such files decode with wrong colours. No personal data.
  if (n === 14 && payload.length === 12 && startsWith(payload, 'Adobe')) return 'keep';
  // APP1: EXIF (GPS position, time, camera, owner, thumbnail) or XMP (the same and editing history);
  // APP13: Photoshop/IPTC (captions, names, places); others: vendor data.
  if (n === 1 && startsWith(payload, 'Exif\0')) return { drop: 'APP1 Exif' };
  if (n === 1 && startsWith(payload, 'http://ns.adobe.com/')) return { drop: 'APP1 XMP' };
  return { drop: `APP${n}` };
}

/** The index of the marker that ends the entropy-coded data starting at `p`. */
function skipEntropyCodedData(b: Uint8Array, p: number): number {
  for (;;) {
    const ff = b.indexOf(0xff, p);
    if (ff < 0 || ff + 1 >= b.length) corrupt(); // truncated: no EOI
    const next = b[ff + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) p = ff + 2; // stuffed FF, restart marker
    else if (next === 0xff) p = ff + 1; // fill byte; the marker follows
    else return ff;
  }
}

// ---------------------------------------------------------------------------
// PNG: signature, then chunks of length (4 bytes, big-endian), type (4
// letters), data and CRC; IHDR first, IEND last. The CRC covers only the
// chunk's own type and data, so dropping whole chunks leaves the others valid.

/** Text (author, comment, software, often XMP), EXIF and modification time. */
const PNG_DROP = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);

function stripPng(b: Uint8Array): StrippedPhoto {
  if (!PNG_SIGNATURE.every((v, i) => b[i] === v)) corrupt();
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  const removed: string[] = [];
  let p = 8;
  for (let first = true; ; first = false) {
    if (p + 12 > b.length) corrupt(); // truncated: no IEND
    const length = be32(b, p);
    const type = ascii(b, p + 4, 4);
    const end = p + 12 + length;
    if (length > 0x7fffffff || end > b.length || !/^[A-Za-z]{4}$/.test(type)) corrupt();
    if (first && (type !== 'IHDR' || length !== 13)) corrupt();
    if (PNG_DROP.has(type)) removed.push(type);
    else parts.push(b.subarray(p, end));
    p = end;
    if (type === 'IEND') break;
  }
  if (p < b.length) removed.push('data after IEND');
  return { bytes: concat(parts), removed };
}

// ---------------------------------------------------------------------------
// WebP: a RIFF container ('RIFF', size of the rest (little-endian), 'WEBP')
// holding chunks of FourCC, size (little-endian) and data, padded with one
// byte to an even length. The extended format starts with a VP8X chunk whose
// flags announce, among others, EXIF and XMP chunks.

const WEBP_DROP = new Set(['EXIF', 'XMP ']);
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(b: Uint8Array): StrippedPhoto {
  if (b.length < 12 || ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') corrupt();
  const riffEnd = 8 + le32(b, 4);
  if (riffEnd > b.length || riffEnd < 12 + 8) corrupt(); // truncated, or no chunk at all
  const parts: Uint8Array[] = [b.slice(0, 12)];
  const removed: string[] = [];
  let p = 12;
  while (p < riffEnd) {
    if (p + 8 > riffEnd) corrupt();
    const fourcc = ascii(b, p, 4);
    const size = le32(b, p + 4);
    const end = p + 8 + size + (size & 1);
    if (end > riffEnd) corrupt();
    if (p === 12 && fourcc !== 'VP8 ' && fourcc !== 'VP8L' && fourcc !== 'VP8X') corrupt();
    if (WEBP_DROP.has(fourcc)) removed.push(fourcc);
    else if (fourcc === 'VP8X') {
      if (size < 10) corrupt();
      // Copied, not a view: the flags byte is changed so decoders do not look for what was removed.
      const chunk = b.slice(p, end);
      chunk[8] = chunk[8]! & ~(VP8X_EXIF | VP8X_XMP);
      parts.push(chunk);
    } else parts.push(b.subarray(p, end));
    p = end;
  }
  if (riffEnd < b.length) removed.push('data after RIFF');
  const out = concat(parts);
  const riffSize = out.length - 8;
  out.set([riffSize & 0xff, (riffSize >>> 8) & 0xff, (riffSize >>> 16) & 0xff, riffSize >>> 24], 4);
  return { bytes: out, removed };
}

// ---------------------------------------------------------------------------

function corrupt(): never {
  throw new PhotoError('corrupt_image');
}

function ascii(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}

function startsWith(b: Uint8Array, prefix: string): boolean {
  return b.length >= prefix.length && ascii(b, 0, prefix.length) === prefix;
}

function be32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function le32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
