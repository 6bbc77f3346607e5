/** SITE_URL, and where the site is served when it is not set (cite lines and feed links must work locally). */
import { describe, expect, it } from 'vitest';
import { absoluteUrl, siteUrl } from '../../src/site/site-url.ts';

describe('the site address', () => {
  it('is SITE_URL when set, without a trailing slash', () => {
    expect(siteUrl({ SITE_URL: 'https://ducha.example.gov.cn/' })).toBe('https://ducha.example.gov.cn');
    expect(absoluteUrl('/items/x/', { SITE_URL: 'https://ducha.example.gov.cn' })).toBe('https://ducha.example.gov.cn/items/x/');
  });

  it('defaults to the address npm start serves at: HOST and PORT', () => {
    expect(siteUrl({})).toBe('http://127.0.0.1:4321');
    expect(siteUrl({ PORT: '8080' })).toBe('http://127.0.0.1:8080');
    expect(siteUrl({ HOST: '0.0.0.0', PORT: '3000' })).toBe('http://0.0.0.0:3000');
  });
});
