/**
 * The search page: reads ?q=, queries the Pagefind index and lists the results
 * with their highlighted excerpts. Pagefind is loaded from the built site at
 * run time (it does not exist at bundle time).
 */
interface PagefindResult {
  data: () => Promise<{ url: string; excerpt: string; meta: { title?: string } }>;
}
interface Pagefind {
  search: (q: string) => Promise<{ results: PagefindResult[] }>;
}

export async function runSearchPage(): Promise<void> {
  const input = document.querySelector<HTMLInputElement>('#q')!;
  const status = document.querySelector<HTMLElement>('#search-status')!;
  const list = document.querySelector<HTMLOListElement>('#search-results')!;
  const query = new URLSearchParams(location.search).get('q')?.trim().slice(0, 100) ?? '';
  input.value = query;
  if (!query) return;
  status.textContent = '正在搜索……';
  try {
    const path = '/pagefind/pagefind.js';
    const pagefind = (await import(/* @vite-ignore */ path)) as Pagefind;
    const { results } = await pagefind.search(query);
    const shown = await Promise.all(results.slice(0, 50).map((r) => r.data()));
    status.textContent = results.length ? `找到 ${results.length} 个页面${results.length > 50 ? '，显示前 50 个' : ''}。` : `没有找到包含“${query}”的页面。`;
    list.replaceChildren(
      ...shown.map((d) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = d.url;
        a.textContent = d.meta.title ?? d.url;
        const p = document.createElement('p');
        // Pagefind's excerpt is HTML-escaped text with <mark> around matches.
        p.innerHTML = d.excerpt;
        li.append(a, p);
        return li;
      }),
    );
  } catch {
    status.textContent = '搜索索引加载失败，请稍后再试。';
  }
}
