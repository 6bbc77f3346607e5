/**
 * Reads a published document from a file, whatever its format: plain text
 * (UTF-8 or GB18030), a saved web page, a Word file or a PDF — told apart by
 * their first bytes, not only by the name — into the lines the plan and
 * notice readers parse (source.ts).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { readDocx } from './docx.ts';
import { readHtml } from './html.ts';
import { decodeText } from './ledger-file.ts';
import { readPdf } from './pdf.ts';
import { textDoc, type SourceDoc } from './source.ts';

const startsWith = (bytes: Uint8Array, text: string) => [...text].every((c, i) => bytes[i] === c.charCodeAt(0));

/** Reads a file into a source document. Throws an Error with a message for the user when it cannot. */
export async function readSource(path: string): Promise<SourceDoc> {
  const bytes = readFileSync(path);
  const ext = extname(path).toLowerCase();
  if (startsWith(bytes, '%PDF') || ext === '.pdf') return readPdf(bytes);
  if (startsWith(bytes, 'PK\u0003\u0004')) {
    if (ext === '.xlsx' || ext === '.xls') throw new Error('这是表格文件；整改台账请用 npm run import -- ledger 导入。');
    return readDocx(bytes);
  }
  // Old binary Office files (.doc, .wps) begin with the OLE signature.
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new Error('这是旧版 Word（.doc）或 WPS 文件，无法直接读取；请另存为 .docx 或 PDF 后再导入。');
  }
  const text = decodeText(bytes);
  if (['.html', '.htm', '.shtml', '.xhtml'].includes(ext) || /^\s*(<!doctype html|<html|<head|<meta)/i.test(text.slice(0, 512))) return readHtml(bytes);
  return textDoc(text);
}
