/**
 * The corrections already made to each page (“本页已更正 N 处”): the reports of the public
 * corrections log (/corrections/, functions/error-reports.ts) that ended in a correction, as they
 * stood when the site was built. `scripts/corrections.ts` copies them from the portal's database
 * into CORRECTIONS_FILE before each build (no database: none); pages read them here.
 *
 * A correction is a change to the content, which reaches a page only with a new build: the note
 * and the corrected text are published together.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

export const pageCorrection = z.object({
  reference: z.string().regex(/^E\d{4}-\d{6}$/),
  page: z.string().startsWith('/'),
  resolvedAt: z.iso.datetime(),
  resolution: z.string(),
  source: z.string(),
});
export type PageCorrection = z.infer<typeof pageCorrection>;
export const correctionsFileSchema = z.object({ generatedAt: z.iso.datetime(), corrections: z.array(pageCorrection) });

/** Where the build reads them (`.data/corrections.json` unless CORRECTIONS_FILE says otherwise). */
export function correctionsFile(env: Record<string, string | undefined> = process.env): string {
  return env.CORRECTIONS_FILE || `${env.DATA_DIR ?? '.data'}/corrections.json`;
}

let byPage: Map<string, PageCorrection[]> | undefined;

/** The corrections of one page (its path, `/items/<id>/`), oldest first; none without a file. */
export function correctionsFor(page: string): PageCorrection[] {
  if (!byPage) {
    byPage = new Map();
    const file = correctionsFile();
    if (existsSync(file)) {
      const parsed = correctionsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success) throw new Error(`${file}：${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('；')}（请重新运行 npm run build 生成）`);
      for (const c of [...parsed.data.corrections].sort((a, b) => a.resolvedAt.localeCompare(b.resolvedAt))) byPage.set(c.page, [...(byPage.get(c.page) ?? []), c]);
    }
  }
  return byPage.get(page) ?? [];
}
