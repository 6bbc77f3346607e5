/**
 * Checks that a page carries user-supplied text as escaped text, never as
 * markup: shared by the fuzz test (nothing reflected) and the escaping test
 * (everything stored and shown).
 */

/** Markup a resident, a staff member or an attacker might type into a text field. */
export const HTML_PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</textarea><script>alert(2)</script>',
  '</title><script>alert(3)</script>',
  '<iframe src="javascript:alert(4)"></iframe>',
  '<a href="javascript:alert(5)">x</a>',
  '<!--<script>alert(6)//-->',
  '<style>@import "//evil.example/x.css"</style>',
  ']]><x>cdata</x>',
];

/** Text as hono/html writes it into a page (the same five characters, the same entities). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * What is wrong with a page, if anything: a payload verbatim, a script
 * element (the test frame has none of its own), an event-handler attribute
 * outside quoted attribute values (where escaped text may well read
 * "onload="), or a javascript: URL in a link, source or form.
 */
export function markupProblems(page: string, payloads: readonly string[] = HTML_PAYLOADS): string[] {
  const problems: string[] = [];
  for (const p of payloads) if (page.includes(p)) problems.push(`payload verbatim: ${p}`);
  if (/<script/i.test(page)) problems.push('script element');
  for (const tag of page.match(/<[a-z][^>]*>/gi) ?? []) {
    const outsideQuotes = tag.replace(/"[^"]*"|'[^']*'/g, '""');
    if (/\son[a-z]+\s*=/i.test(outsideQuotes)) problems.push(`event-handler attribute: ${tag.slice(0, 200)}`);
    if (/\s(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/i.test(tag)) problems.push(`javascript: URL: ${tag.slice(0, 200)}`);
  }
  return problems;
}
