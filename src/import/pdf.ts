/**
 * A PDF as lines of text: its text layer read with pdf.js (pdfjs-dist, the
 * legacy build, which runs in Node; its worker runs in the same thread), the
 * text runs with their positions and the ruling lines of the page handed to
 * pdf-layout.ts, which rebuilds lines, paragraphs and tables.
 *
 * pdf.js is chosen because it reads the character maps Chinese PDFs use
 * (predefined CMaps such as UniGB-UCS2-H are shipped with it and loaded from
 * node_modules) and gives each text run its position, which paragraph and
 * table recovery need. Fonts are not rendered and no script in the file is
 * evaluated (isEvalSupported: false).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { layoutPdf, NoTextLayer, type PdfPage, type Rule, type Run } from './pdf-layout.ts';
import type { SourceDoc } from './source.ts';

type Matrix = [number, number, number, number, number, number];

const multiply = (m: Matrix, n: readonly number[]): Matrix => [
  m[0] * n[0]! + m[2] * n[1]!,
  m[1] * n[0]! + m[3] * n[1]!,
  m[0] * n[2]! + m[2] * n[3]!,
  m[1] * n[2]! + m[3] * n[3]!,
  m[0] * n[4]! + m[2] * n[5]! + m[4],
  m[1] * n[4]! + m[3] * n[5]! + m[5],
];
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** Where pdf.js keeps its character maps and standard fonts (paths end with a slash, as it requires). */
function assets(): { cMapUrl: string; standardFontDataUrl: string } {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return { cMapUrl: `${join(root, 'cmaps')}/`, standardFontDataUrl: `${join(root, 'standard_fonts')}/` };
}

/** Reads a PDF file's text layer. Throws NoTextLayer (with a message for the user) when there is none to read. */
export async function readPdf(bytes: Uint8Array): Promise<SourceDoc> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const { OPS } = pdfjs;
  let doc;
  try {
    doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), ...assets(), cMapPacked: true, verbosity: 0, isEvalSupported: false, useSystemFonts: false, disableFontFace: true, stopAtErrors: false }).promise;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') throw new NoTextLayer('这个 PDF 设有打开密码，无法读取。请提供未加密的文件。');
    throw new NoTextLayer(`无法打开这个 PDF（${(error as Error).message}）。`);
  }
  const pages: PdfPage[] = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: 1 });
      const vt = viewport.transform as Matrix;
      const runs: Run[] = [];
      const content = await page.getTextContent();
      for (const item of content.items) {
        if (!('str' in item) || !item.str) continue;
        const m = multiply(vt, item.transform as number[]);
        // Horizontal text only: rotated runs are stamps and watermarks, not the document's lines.
        if (Math.abs(m[1]) > 0.01 * Math.abs(m[0]) || m[0] <= 0) continue;
        const scale = Math.hypot(m[0], m[1]) / Math.max(1e-6, Math.hypot(item.transform[0]!, item.transform[1]!));
        runs.push({ str: item.str, x: m[4], y: m[5], w: item.width * scale, size: Math.abs(m[3]) || Math.hypot(m[2], m[3]) });
      }
      const rules: Rule[] = [];
      let images = 0;
      const ops = await page.getOperatorList();
      // Graphics state: the transformation and the clipping box (a cell cut by the page is drawn whole, clipped to it).
      type State = { ctm: Matrix; clip: [number, number, number, number] };
      const stack: State[] = [];
      let state: State = { ctm: [1, 0, 0, 1, 0, 0], clip: [0, 0, viewport.width, viewport.height] };
      const box = (b: ArrayLike<number>): [number, number, number, number] => {
        const corners = [apply(state.ctm, b[0]!, b[1]!), apply(state.ctm, b[2]!, b[3]!), apply(state.ctm, b[0]!, b[3]!), apply(state.ctm, b[2]!, b[1]!)].map(([x, y]) => apply(vt, x, y));
        const xs = corners.map((c) => c[0]);
        const ys = corners.map((c) => c[1]);
        return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      };
      ops.fnArray.forEach((fn, i) => {
        const args = ops.argsArray[i] as unknown[] | null;
        if (fn === OPS.save) stack.push(state);
        else if (fn === OPS.restore) state = stack.pop() ?? state;
        else if (fn === OPS.transform) state = { ...state, ctm: multiply(state.ctm, args as number[]) };
        else if (fn === OPS.paintFormXObjectBegin) {
          stack.push(state);
          const matrix = args?.[0] as number[] | null | undefined;
          if (matrix && matrix.length === 6) state = { ...state, ctm: multiply(state.ctm, matrix) };
        } else if (fn === OPS.paintFormXObjectEnd) state = stack.pop() ?? state;
        else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageXObjectRepeat || fn === OPS.paintImageMaskXObject) images++;
        else if (fn === OPS.constructPath) {
          // pdf.js gives the path's bounding box last. A path that paints nothing sets the clip.
          const bounds = args?.[2] as ArrayLike<number> | null | undefined;
          if (!bounds || bounds.length < 4) return;
          const [x0, y0, x1, y1] = box(bounds);
          const [cx0, cy0, cx1, cy1] = state.clip;
          if (args?.[0] === OPS.endPath) {
            state = { ...state, clip: [Math.max(x0, cx0), Math.max(y0, cy0), Math.min(x1, cx1), Math.min(y1, cy1)] };
            return;
          }
          const rule = { x0: Math.max(x0, cx0), y0: Math.max(y0, cy0), x1: Math.min(x1, cx1), y1: Math.min(y1, cy1) };
          if (rule.x1 >= rule.x0 && rule.y1 >= rule.y0 && (rule.x1 > rule.x0 || rule.y1 > rule.y0)) rules.push(rule);
        }
      });
      pages.push({ width: viewport.width, height: viewport.height, runs, rules, images });
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return layoutPdf(pages);
}

/** Reads a PDF file from disk. */
export function readPdfFile(path: string): Promise<SourceDoc> {
  return readPdf(readFileSync(path));
}
