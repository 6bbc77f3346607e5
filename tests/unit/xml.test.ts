/** XML text (src/site/xml.ts) and the Atom feed: no character XML 1.0 forbids, checked with a strict XML parser. */
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/site/atom.ts';
import { escapeXml, xmlSafe } from '../../src/site/xml.ts';

/** C0 controls but tab/LF/CR, U+FFFE, U+FFFF and lone surrogates of both kinds (low before high, so joined they stay lone). */
const FORBIDDEN = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)), '\ufffe', '\uffff', '\udfff', '\ud800'];

function parseXml(xml: string) {
  const parser = new SaxesParser();
  const texts: string[] = [];
  let error: Error | undefined;
  parser.on('error', (e) => (error ??= e));
  parser.on('text', (t) => texts.push(t));
  parser.on('cdata', (t) => texts.push(t));
  parser.write(xml).close();
  if (error) throw error;
  return texts;
}

describe('XML text', () => {
  it('drops every character XML 1.0 forbids and keeps the rest, emoji (surrogate pairs) included', () => {
    for (const c of FORBIDDEN) expect(xmlSafe(`a${c}b`), `U+${c.charCodeAt(0).toString(16)}`).toBe('ab');
    const allowed = 'tab\t LF\n CR\r NEL\u0085 DEL\u007f 💩 污水 \ud83d\udca9 \u{10ffff}';
    expect(xmlSafe(allowed)).toBe(allowed);
  });

  it('escapes markup after dropping them, so the result parses as the text meant', () => {
    const text = `<b>&"'${FORBIDDEN.join('')}]]>`;
    const xml = `<a>${escapeXml(text)}</a>`;
    expect(parseXml(xml).join('')).toBe(`<b>&"']]>`);
    // The strict parser does refuse the characters themselves (the test is not vacuous).
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/disallowed character/);
  });

  it('the Atom feed parses even when the content holds such characters', () => {
    const dirty = `整改完成${FORBIDDEN.join('')}（已销号）`;
    const feed = renderAtom({
      id: 'https://ducha.example.gov.cn/feed.xml', title: `督察整改公开平台${dirty}`, updated: '2026-11-23T00:00:00+08:00',
      self: 'https://ducha.example.gov.cn/feed.xml', alternate: 'https://ducha.example.gov.cn/', author: { name: '督察整改公开平台' },
      entries: [{ id: 'https://ducha.example.gov.cn/items/x/#status-0', title: `方案 第1项：${dirty}`, updated: '2026-11-20T00:00:00+08:00', href: 'https://ducha.example.gov.cn/items/x/', summary: dirty }],
    });
    const texts = parseXml(feed);
    expect(texts).toContain('方案 第1项：整改完成（已销号）');
    expect(texts).toContain('整改完成（已销号）');
  });
});
