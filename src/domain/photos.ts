/**
 * Complaint photos: which files are accepted, and removal of the metadata a
 * camera or phone writes into them. A photo taken at home carries the GPS
 * coordinates of the reporter's home in its EXIF block, the phone model, the
 * time, sometimes the owner's name and an uncropped thumbnail, so every photo
 * is stripped before it is stored — even though only staff see photos.
 *
 * Stripping works by allow-lists: only the segments or chunks a viewer needs
 * to show the picture (pixels, palette, transparency, colour) are copied;
 * everything else, including names nobody has thought of yet, is dropped. The
 * one piece of EXIF that is needed — the orientation, without which portrait
 * phone photos are shown sideways — is written back in a new minimal EXIF
 * block that holds that single tag.
 *
 * Framework-free and runtime-free: only Uint8Array, so the same code runs in
 * Node and in Cloudflare Workers. The pixel data is never decoded or
 * re-encoded: kept segments are copied byte for byte.
 */

/** Limits published with the form and the API description. */
export const PHOTO_LIMITS = {
  /** Photos per complaint. */
  maxCount: 3,
  /** Bytes per photo (5 MiB), checked before the file is parsed. */
  maxBytes: 5 * 1024 * 1024,
  /**
   * Pixels per photo (width × height in the header), 40 megapixels. A few
   * kilobytes of compressed data can announce an image that needs gigabytes
   * once decoded in a staff member's browser; phone cameras save 12–50 MP.
   */
  maxPixels: 40_000_000,
} as const;

/** The accepted photo formats, as media types. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

export type PhotoErrorCode = 'empty_file' | 'unsupported_type' | 'unsupported_encoding' | 'corrupt_image' | 'too_large' | 'too_many_pixels';

const MEGAPIXELS_CN = `${PHOTO_LIMITS.maxPixels / 10_000} 万像素`;

const MESSAGES: Record<PhotoErrorCode, string> = {
  empty_file: '文件是空的（0 字节），请重新选择',
  unsupported_type: '只能上传 JPEG、PNG 或 WebP 格式的照片',
  unsupported_encoding: '这种编码方式的图片（如无损或分层 JPEG）无法在浏览器中显示，请另存为普通 JPEG、PNG 或 WebP 后重新上传',
  corrupt_image: '照片文件已损坏或不完整，请重新选择',
  too_large: `每张照片不能超过 ${PHOTO_LIMITS.maxBytes / 1024 / 1024} MB`,
  too_many_pixels: `每张照片不能超过 ${MEGAPIXELS_CN}，请缩小后重新上传`,
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
  /** Size in pixels as the header gives it (before any rotation by the orientation). */
  width: number;
  height: number;
  /** EXIF orientation (2–8) written back into the output, or 1 when there is none to keep. */
  orientation: number;
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
 * `PhotoError`: 'corrupt_image' when the file's structure is broken or
 * truncated or its size in pixels cannot be read, 'too_many_pixels' over
 * `PHOTO_LIMITS.maxPixels`, 'unsupported_encoding' for JPEG variants browsers
 * do not show, 'unsupported_type' for any other type.
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
 * Checks one uploaded photo: size, type by content, structure, pixels; returns
 * it stripped of metadata. `declaredType` (the browser's Content-Type) is
 * accepted for convenience but deliberately not used: the bytes decide, so a
 * PNG named .jpg is stored as PNG and a script named .jpg is refused.
 */
export function checkPhoto(bytes: Uint8Array, _declaredType?: string): StrippedPhoto & { type: PhotoType } {
  if (bytes.length === 0) throw new PhotoError('empty_file');
  if (bytes.length > PHOTO_LIMITS.maxBytes) throw new PhotoError('too_large');
  const type = sniffImageType(bytes);
  if (!type) throw new PhotoError('unsupported_type');
  return { type, ...stripImageMetadata(bytes, type) };
}

/** Refuses a size that cannot be read (zero) or is over the pixel limit. */
function checkPixels(width: number, height: number): void {
  if (!(width > 0 && height > 0)) corrupt();
  if (width * height > PHOTO_LIMITS.maxPixels) {
    throw new PhotoError(
      'too_many_pixels',
      `照片为 ${width}×${height} 像素（约 ${Math.round((width * height) / 10_000)} 万像素），超过每张 ${MEGAPIXELS_CN}的上限，请缩小后重新上传`,
    );
  }
}

// ---------------------------------------------------------------------------
// EXIF orientation. EXIF is a TIFF structure: byte order ('II' little-endian
// or 'MM' big-endian), 42, the offset of IFD0; an IFD is a 2-byte count of
// 12-byte entries (tag, type, count, value or offset). Orientation (0x0112)
// is a SHORT in IFD0: 1 = as stored, 6 = rotate 90° clockwise to view, etc.

const ORIENTATION = 0x0112;
const SHORT = 3;

/** The orientation in IFD0 of an EXIF (TIFF) block; 1 when missing or unreadable. */
function exifOrientation(tiff: Uint8Array): number {
  if (startsWith(tiff, 'Exif\0\0')) tiff = tiff.subarray(6); // the APP1 prefix, which some WebP writers copy
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (tiff.length < 8 || (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d))) return 1;
  const u16 = (at: number) => (little ? tiff[at]! | (tiff[at + 1]! << 8) : (tiff[at]! << 8) | tiff[at + 1]!);
  const u32 = (at: number) => (little ? le32(tiff, at) : be32(tiff, at));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) !== ORIENTATION) continue;
    const value = u16(entry + 8);
    return u16(entry + 2) === SHORT && u32(entry + 4) === 1 && value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/** A new EXIF (TIFF) block with nothing but the orientation: no GPS, no camera, no thumbnail. */
function orientationExif(orientation: number): Uint8Array {
  // prettier-ignore
  return Uint8Array.of(
    0x4d, 0x4d, 0, 42, 0, 0, 0, 8, // big-endian, IFD0 at offset 8
    0, 1, // one entry:
    ORIENTATION >> 8, ORIENTATION & 0xff, 0, SHORT, 0, 0, 0, 1, 0, orientation, 0, 0,
    0, 0, 0, 0, // no next IFD (no thumbnail)
  );
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
/** Frames browsers decode: baseline, extended, progressive (Huffman or arithmetic coded). */
const JPEG_FRAMES = new Set([0xc0, 0xc1, 0xc2, 0xc9, 0xca]);
/** Lossless, hierarchical (SOFn, DHP, EXP) and JPEG-LS frames: valid, but no browser shows them. */
const JPEG_OTHER_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xcb, 0xcd, 0xce, 0xcf, 0xde, 0xdf, 0xf7, 0xf8]);
/** Tables the decoder needs: Huffman (DHT), arithmetic conditioning (DAC), quantisation (DQT), restart interval (DRI). */
const JPEG_TABLES = new Set([0xc4, 0xcc, 0xdb, 0xdd]);

function stripJpeg(b: Uint8Array): StrippedPhoto {
  if (b[0] !== 0xff || b[1] !== SOI) corrupt();
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  const removed: string[] = [];
  let frame: { width: number; height: number } | undefined;
  let orientation: number | undefined; // from the first EXIF segment, as viewers read it
  let exifAt = 1; // where the new EXIF goes: after SOI, or after a JFIF header right behind it
  let seenScan = false;
  let seenJfif = false;
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
    const payload = segment.subarray(4);
    p = end;
    if ((marker >= APP0 && marker <= APP15) || marker === COM) {
      if (marker === APP0 + 1 && startsWith(payload, 'Exif\0')) orientation ??= exifOrientation(payload.subarray(6));
      const verdict = jpegMetadata(marker, payload, seenJfif);
      if (verdict === 'keep' || verdict instanceof Uint8Array) {
        if (marker === APP0) {
          seenJfif = true;
          if (parts.length === 1) exifAt = 2;
        }
        parts.push(verdict === 'keep' ? segment : verdict);
        if (verdict instanceof Uint8Array) removed.push('JFIF thumbnail');
      } else removed.push(verdict.drop);
    } else if (JPEG_FRAMES.has(marker)) {
      if (frame || seenScan) corrupt(); // one frame per image, before its scans
      frame = jpegFrameSize(payload);
      checkPixels(frame.width, frame.height);
      parts.push(segment);
    } else if (JPEG_OTHER_FRAMES.has(marker)) {
      throw new PhotoError('unsupported_encoding');
    } else if (marker === SOS) {
      if (!frame) corrupt();
      seenScan = true;
      const dataEnd = skipEntropyCodedData(b, p);
      parts.push(segment, b.subarray(p, dataEnd));
      p = dataEnd;
    } else if (JPEG_TABLES.has(marker)) parts.push(segment);
    else corrupt(); // reserved or undefined marker: no telling whether the picture needs it
  }
  const kept = orientation ?? 1;
  if (kept !== 1) {
    const tiff = orientationExif(kept);
    const app1 = concat([Uint8Array.of(0xff, APP0 + 1, 0, 2 + 6 + tiff.length), bytesOf('Exif\0\0'), tiff]);
    parts.splice(exifAt, 0, app1);
  }
  return { bytes: concat(parts), removed, width: frame!.width, height: frame!.height, orientation: kept };
}

/**
 * The allow-list for APPn and COM segments: keep, drop (and under which name),
 * or replace by the returned segment. One JFIF header is kept, not a second.
 */
function jpegMetadata(marker: number, payload: Uint8Array, seenJfif: boolean): 'keep' | { drop: string } | Uint8Array {
  if (marker === COM) return { drop: 'COM' }; // free text, often the editing software or a name
  const n = marker - APP0;
  if (n === 0 && !seenJfif && startsWith(payload, 'JFIF\0') && payload.length >= 14) {
    // JFIF: version, pixel density and aspect ratio, then an optional uncropped thumbnail (3 bytes per pixel).
    if (payload.length === 14 && payload[12] === 0 && payload[13] === 0) return 'keep';
    const header = new Uint8Array(18);
    header.set([0xff, APP0, 0, 16]);
    header.set(payload.subarray(0, 12), 4);
    return header;
  }
  // ICC colour profile: phones save wide-gamut (Display P3) photos whose colours are wrong without it.
  if (n === 2 && startsWith(payload, 'ICC_PROFILE\0')) return 'keep';
  // Adobe: 12 bytes telling whether the colours are RGB, YCbCr or (inverted) CMYK;
  // without it such files decode with wrong colours. No personal data.
  if (n === 14 && payload.length === 12 && startsWith(payload, 'Adobe')) return 'keep';
  // Everything else goes. APP1: EXIF (GPS position, time, camera, owner,
  // thumbnail; its orientation is written back on its own) or XMP (the same and
  // editing history); APP2 MPF: further images; APP13: Photoshop/IPTC (captions,
  // names, places); others: vendor data.
  if (n === 1 && startsWith(payload, 'Exif\0')) return { drop: 'APP1 Exif' };
  if (n === 1 && startsWith(payload, 'http://ns.adobe.com/')) return { drop: 'APP1 XMP' };
  return { drop: `APP${n}` };
}

/** Width and height from a SOFn payload: precision, height, width, components (1–4), 3 bytes each. */
function jpegFrameSize(payload: Uint8Array): { width: number; height: number } {
  const components = payload[5] ?? 0;
  if (components < 1 || components > 4 || payload.length !== 6 + 3 * components) corrupt();
  // A height of 0 means "defined later" (DNL marker), which browsers do not support: unreadable.
  return { height: (payload[1]! << 8) | payload[2]!, width: (payload[3]! << 8) | payload[4]! };
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

/**
 * The chunks kept. Critical: header, palette, pixels, end. Ancillary, all
 * fixed numbers with no personal data: transparency (tRNS); colour
 * (gAMA, cHRM, sRGB, iCCP, cICP — without them colours or HDR are shown
 * wrong); significant bits (sBIT) and pixel aspect ratio (pHYs), a few bytes
 * that keep the picture as drawn; animation (acTL, fcTL, fdAT: frame sizes,
 * delays and frame pixels). Everything else is dropped: text (tEXt, zTXt,
 * iTXt — author, comments, XMP), EXIF under any spelling (eXIf, exIf), time
 * (tIME), background colour (bKGD, ignored by browsers), suggested palettes,
 * histograms, and private or unknown chunks.
 */
const PNG_KEEP = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'cICP', 'sBIT', 'pHYs', 'acTL', 'fcTL', 'fdAT']);
/** Colour type → allowed bit depths. */
const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

function stripPng(b: Uint8Array): StrippedPhoto {
  if (!PNG_SIGNATURE.every((v, i) => b[i] === v)) corrupt();
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  const removed: string[] = [];
  let width = 0;
  let height = 0;
  let colourType = 0;
  let orientation: number | undefined;
  let palette = false;
  let pixels = false;
  let p = 8;
  for (let first = true; ; first = false) {
    if (p + 12 > b.length) corrupt(); // truncated: no IEND
    const length = be32(b, p);
    const type = ascii(b, p + 4, 4);
    const end = p + 12 + length;
    if (length > 0x7fffffff || end > b.length || !/^[A-Za-z]{4}$/.test(type)) corrupt();
    // A damaged chunk would not be shown; checking the CRC also makes the size below trustworthy.
    if (be32(b, end - 4) !== crc32(b.subarray(p + 4, end - 4))) corrupt();
    const data = b.subarray(p + 8, end - 4);
    if (first !== (type === 'IHDR')) corrupt(); // IHDR first, and only once
    if (type === 'IHDR') {
      if (length !== 13) corrupt();
      width = be32(data, 0);
      height = be32(data, 4);
      colourType = data[9]!;
      if (width > 0x7fffffff || height > 0x7fffffff || !PNG_DEPTHS[colourType]?.includes(data[8]!) || data[10] !== 0 || data[11] !== 0 || data[12]! > 1) corrupt();
      checkPixels(width, height);
    }
    if (type === 'eXIf' || type === 'exIf') orientation ??= exifOrientation(data); // exIf: the name before registration
    if (type === 'PLTE') palette = true;
    if (type === 'IDAT') {
      if (colourType === 3 && !palette) corrupt();
      pixels = true;
    }
    if (type === 'fcTL') {
      // An animation frame must lie inside the canvas, which the pixel limit was checked on.
      if (length !== 26 || be32(data, 4) === 0 || be32(data, 8) === 0 || be32(data, 12) + be32(data, 4) > width || be32(data, 16) + be32(data, 8) > height) corrupt();
    }
    if (PNG_KEEP.has(type)) parts.push(b.subarray(p, end));
    else if (type.charCodeAt(0) < 0x61) corrupt(); // an unknown critical chunk (upper-case first letter): not a picture a viewer can show
    else removed.push(type);
    p = end;
    if (type === 'IEND') break;
  }
  if (!pixels) corrupt();
  if (p < b.length) removed.push('data after IEND');
  const kept = orientation ?? 1;
  // eXIf must come before the image data; right after IHDR is always allowed.
  if (kept !== 1) parts.splice(2, 0, pngChunk('eXIf', orientationExif(kept)));
  return { bytes: concat(parts), removed, width, height, orientation: kept };
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  out.set([data.length >>> 24, (data.length >>> 16) & 0xff, (data.length >>> 8) & 0xff, data.length & 0xff]);
  out.set(bytesOf(type), 4);
  out.set(data, 8);
  const crc = crc32(out.subarray(4, 8 + data.length));
  out.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], 8 + data.length);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------
// WebP: a RIFF container ('RIFF', size of the rest (little-endian), 'WEBP')
// holding chunks of FourCC, size (little-endian) and data, padded with one
// byte to an even length. The simple format is one VP8 (lossy) or VP8L
// (lossless) chunk; the extended format starts with a VP8X chunk (flags and
// canvas size) followed by the chunks its flags announce.

const VP8X_ICC = 0x20;
const VP8X_ALPHA = 0x10;
const VP8X_EXIF = 0x08;
const VP8X_ANIMATION = 0x02;
/**
 * Extended-format chunks kept: colour profile (ICCP), animation parameters
 * and frames (ANIM, ANMF — whose own sub-chunks are filtered the same way),
 * alpha (ALPH) and the image (VP8, VP8L). Dropped: EXIF, XMP and unknown chunks.
 */
const WEBP_KEEP = new Set(['ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L']);
const WEBP_FRAME_KEEP = new Set(['ALPH', 'VP8 ', 'VP8L']);

function stripWebp(b: Uint8Array): StrippedPhoto {
  if (b.length < 12 || ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') corrupt();
  const riffEnd = 8 + le32(b, 4);
  if (riffEnd > b.length || riffEnd < 12 + 8) corrupt(); // truncated, or no chunk at all
  const parts: Uint8Array[] = [b.slice(0, 12)];
  const removed: string[] = [];
  let canvas: { width: number; height: number } | undefined; // from VP8X
  let image: { width: number; height: number } | undefined; // the first image chunk or frame
  let vp8x: Uint8Array | undefined;
  let orientation: number | undefined;
  let p = 12;
  for (const { fourcc, data, chunk } of riffChunks(b, 12, riffEnd)) {
    if (p === 12 && fourcc !== 'VP8 ' && fourcc !== 'VP8L' && fourcc !== 'VP8X') corrupt();
    const at = p;
    p += chunk.length;
    if (fourcc === 'VP8X' && at === 12) {
      if (data.length < 10) corrupt();
      canvas = { width: 1 + le24(data, 4), height: 1 + le24(data, 7) };
      checkPixels(canvas.width, canvas.height);
      // A new chunk, not a copy: only the flags of what is kept (EXIF set again below if written), reserved bits zero.
      vp8x = concat([bytesOf('VP8X'), Uint8Array.of(10, 0, 0, 0, data[0]! & (VP8X_ICC | VP8X_ALPHA | VP8X_ANIMATION), 0, 0, 0), data.subarray(4, 10)]);
      parts.push(vp8x);
      if (data.length > 10) removed.push('VP8X extra bytes');
      continue;
    }
    if (fourcc === 'EXIF' && vp8x) orientation ??= exifOrientation(data);
    // The simple format is its first image chunk alone; decoders read nothing else there.
    const keep = vp8x ? WEBP_KEEP.has(fourcc) : (fourcc === 'VP8 ' || fourcc === 'VP8L') && !image;
    if (!keep || ((fourcc === 'VP8 ' || fourcc === 'VP8L') && image)) {
      removed.push(fourcc); // a second image bitstream is not shown either
      continue;
    }
    if (fourcc === 'ANMF') {
      if (!canvas) corrupt();
      const frame = webpFrame(data, canvas, removed);
      image ??= frame.size;
      parts.push(frame.bytes ?? chunk);
      continue;
    }
    if (fourcc === 'VP8 ' || fourcc === 'VP8L') image = webpBitstreamSize(fourcc, data);
    parts.push(chunk);
  }
  if (!image) corrupt();
  if (riffEnd < b.length) removed.push('data after RIFF');
  const kept = orientation ?? 1;
  if (kept !== 1) {
    parts.push(riffChunk('EXIF', orientationExif(kept)));
    vp8x![8] = vp8x![8]! | VP8X_EXIF;
  }
  const out = concat(parts);
  const riffSize = out.length - 8;
  out.set([riffSize & 0xff, (riffSize >>> 8) & 0xff, (riffSize >>> 16) & 0xff, riffSize >>> 24], 4);
  const { width, height } = canvas ?? image;
  return { bytes: out, removed, width, height, orientation: kept };
}

/** The chunks between `start` and `end`, each with its padding; a chunk running past `end` is corrupt. */
function* riffChunks(b: Uint8Array, start: number, end: number): Generator<{ fourcc: string; data: Uint8Array; chunk: Uint8Array }> {
  let p = start;
  while (p < end) {
    if (p + 8 > end) corrupt();
    const size = le32(b, p + 4);
    const next = p + 8 + size + (size & 1);
    if (next > end) corrupt();
    yield { fourcc: ascii(b, p, 4), data: b.subarray(p + 8, p + 8 + size), chunk: b.subarray(p, next) };
    p = next;
  }
}

/**
 * One ANMF animation frame: 16 bytes of position, size, duration and flags,
 * then the frame's own chunks, filtered by `WEBP_FRAME_KEEP`. Returns the
 * frame's size and, when something was dropped, the rebuilt chunk.
 */
function webpFrame(data: Uint8Array, canvas: { width: number; height: number }, removed: string[]): { size: { width: number; height: number }; bytes?: Uint8Array } {
  if (data.length < 16) corrupt();
  const size = { width: 1 + le24(data, 6), height: 1 + le24(data, 9) };
  if (2 * le24(data, 0) + size.width > canvas.width || 2 * le24(data, 3) + size.height > canvas.height) corrupt();
  const kept: Uint8Array[] = [];
  let dropped = false;
  let hasImage = false;
  for (const { fourcc, data: sub, chunk } of riffChunks(data, 16, data.length)) {
    // Alpha, then one image bitstream; anything else, or after the image, is not part of the frame.
    if (WEBP_FRAME_KEEP.has(fourcc) && !hasImage) {
      if (fourcc !== 'ALPH') {
        webpBitstreamSize(fourcc, sub);
        hasImage = true;
      }
      kept.push(chunk);
    } else {
      removed.push(`ANMF/${fourcc}`);
      dropped = true;
    }
  }
  if (!hasImage) corrupt();
  return dropped ? { size, bytes: riffChunk('ANMF', concat([data.subarray(0, 16), ...kept])) } : { size };
}

/** The size a VP8 (lossy key frame) or VP8L (lossless) bitstream announces, checked against the limit. */
function webpBitstreamSize(fourcc: string, d: Uint8Array): { width: number; height: number } {
  let size: { width: number; height: number };
  if (fourcc === 'VP8 ') {
    // Frame tag (3 bytes, bit 0 clear for a key frame), start code 9D 01 2A, 14-bit width and height.
    if (d.length < 10 || d[0]! & 1 || d[3] !== 0x9d || d[4] !== 0x01 || d[5] !== 0x2a) corrupt();
    size = { width: (d[6]! | (d[7]! << 8)) & 0x3fff, height: (d[8]! | (d[9]! << 8)) & 0x3fff };
  } else {
    // Signature 2F, then width − 1 and height − 1 in 14 bits each, alpha hint, 3-bit version 0.
    if (d.length < 5 || d[0] !== 0x2f || d[4]! >> 5 !== 0) corrupt();
    size = { width: 1 + (d[1]! | ((d[2]! & 0x3f) << 8)), height: 1 + ((d[2]! >> 6) | (d[3]! << 2) | ((d[4]! & 0x0f) << 10)) };
  }
  checkPixels(size.width, size.height);
  return size;
}

function riffChunk(fourcc: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length + (data.length & 1));
  out.set(bytesOf(fourcc));
  out.set([data.length & 0xff, (data.length >>> 8) & 0xff, (data.length >>> 16) & 0xff, data.length >>> 24], 4);
  out.set(data, 8);
  return out;
}

// ---------------------------------------------------------------------------

function corrupt(): never {
  throw new PhotoError('corrupt_image');
}

function ascii(b: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...b.subarray(at, at + length));
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
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

function le24(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
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
