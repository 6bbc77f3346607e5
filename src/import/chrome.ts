/**
 * Page chrome: the text a web page or a PDF copy wraps around a document —
 * breadcrumbs, "信息来源 … 发布日期", print and share links, page numbers,
 * footers. Recognised on folded text (see normalize.ts), so 简体 and 繁體
 * pages and full-width punctuation are met by the same patterns.
 */

const CHROME: readonly RegExp[] = [
  /^(网站)?首页$/,
  /^(当前位置|您现在的位置|所在位置)?\s*:?\s*(首页|网站首页)?\s*>/,
  /^>/,
  /^扫一扫在手机打开当前页$/,
  /^Produced By/i,
  /^(【|\[)?\s*(打印本页|打印|关闭窗口|关闭|返回顶部|收藏|纠错|分享到?.*)\s*(】|\])?$/,
  /^(【|\[)?\s*字[号体]\s*:?\s*[大中小\s]+(】|\])?$/,
  // A row of bracketed links: 【字体：大 中 小】【打印本页】【关闭窗口】.
  /^(【[^】]{1,12}】\s*){2,}$/,
  // A navigation bar: 网站首页 | 政务公开 | 专题专栏.
  /^[^。,]{1,12}(\s*[|｜]\s*[^。,|｜]{1,12}){2,}$/,
  /(浏览次数|访问量|阅读量|点击数)\s*:?\s*\d*\s*$/,
  /^(信息)?来源\s*:.*(发布(日期|时间)|日期)\s*:/,
  /^(发布(日期|时间)|日期)\s*:\s*\d{4}-\d{1,2}-\d{1,2}/,
  /^(上一篇|下一篇|相关(链接|阅读|文章|新闻))\s*:?/,
  /(主办单位|承办单位|版权所有|ICP备|网站标识码|公网安备|联系我们|网站地图|技术支持\s*:)/,
  // What a browser prints round a page: the date and time (and the page's title), the address and "3/21".
  /^\d{4}\/\d{1,2}\/\d{1,2}\s*\d{1,2}:\d{2}/,
  /^(https?:\/\/|www\.)\S+(\s*\d+\s*\/\s*\d+)?$/i,
  // Page numbers of printed copies: "- 3 -", "第 3 页 共 10 页", "3/10".
  /^[-—–]\s*\d+\s*[-—–]$/,
  /^第\s*\d+\s*页(\s*[,/]?\s*共\s*\d+\s*页)?$/,
  /^\d+\s*\/\s*\d+$/,
];

/**
 * The links and buttons a page puts round a document: a line made only of
 * these, however separated — "打印本页 关闭窗口", "[打印] [关闭]",
 * "分享到: 微信 微博", "字体: 大 中 小" — is chrome.
 */
const LINK_WORDS = new Set(
  '打印本页 打印此页 打印 关闭窗口 关闭本页 关闭 返回顶部 返回首页 返回 收藏本页 加入收藏 收藏 我要纠错 纠错 分享到 分享至 分享 微信 微博 新浪微博 腾讯微博 QQ空间 QQ 字体 字号 大 中 小 默认 保存 下载'.split(' '),
);
const LINK_SEPARATORS = /[\s【】\[\]()|:,、·•]+/;

function isLinkRow(t: string): boolean {
  const words = t.split(LINK_SEPARATORS).filter(Boolean);
  return words.length > 0 && words.every((w) => LINK_WORDS.has(w)) && (words.some((w) => w.length >= 2) || words.join('') === '大中小');
}

/** Whether one (folded, trimmed) line is page chrome rather than document text. */
export function isChrome(fold: string): boolean {
  const t = fold.trim();
  return t.length > 0 && (CHROME.some((re) => re.test(t)) || isLinkRow(t));
}

/** The publication date the page header gives ("发布日期: 2020-12-02 12:15"), if any. */
export function publishedDate(fold: string): string | undefined {
  const m = /发布(?:日期|时间)\s*:?\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})/.exec(fold);
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : undefined;
}
