/** Presentation helpers shared by pages. */

/**
 * Wraps a document title in book-title marks, turning marks inside it into the
 * inner form (《关于印发〈…〉的通知》), as Chinese typography requires.
 */
export function bookTitle(title: string): string {
  return `《${title.replaceAll('《', '〈').replaceAll('》', '〉')}》`;
}

const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'word' });

/** Splits Chinese text into words (ICU dictionary segmentation), for readable diffs. */
export function words(text: string): string[] {
  return [...segmenter.segment(text)].map((s) => s.segment);
}
