/**
 * Text for XML documents (Open311, the Atom feed). One function decides what
 * may appear: XML 1.0 (§2.2, Char) forbids C0 control characters other than
 * tab, LF and CR, U+FFFE, U+FFFF and lone surrogates anywhere in a document,
 * even escaped — a single one makes a strict parser reject the whole
 * document (a whole Open311 list or the feed), so they are removed.
 */

/** Every character XML 1.0 forbids; `u` mode so paired surrogates (emoji) are one code point and stay. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\p{Cs}]/gu;

/** The text with every character XML 1.0 forbids removed. Apply to any text or whole document bound for XML. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

const ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };

/** Text as XML character data or an attribute value: forbidden characters removed, markup characters escaped. */
export function escapeXml(text: string): string {
  return xmlSafe(text).replace(/[<>&'"]/g, (c) => ENTITIES[c]!);
}
