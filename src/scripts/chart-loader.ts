/**
 * Loads chart.js only when a chart is about to scroll into view. chart.js is
 * the largest script on the site (~60 KB gzip); fetching and running it while
 * the page loads delayed the first paint and blocked the main thread on phones
 * (Lighthouse mobile: dashboard performance 91–97 depending on machine load).
 * Every chart's numbers are in the table under it, so the drawing can wait:
 * a reader who never scrolls to a chart never downloads it. Without
 * IntersectionObserver the charts are drawn at once, as before.
 */
export function drawChartsWhenNear(): void {
  const canvases = document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]');
  if (canvases.length === 0) return;
  const draw = () => void import('./charts.ts').then((charts) => charts.drawCharts());
  if (!('IntersectionObserver' in window)) return draw();
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      draw();
    },
    // Start loading a screen ahead, so the chart is drawn by the time it is seen.
    { rootMargin: '0px 0px 100% 0px' },
  );
  for (const canvas of canvases) observer.observe(canvas);
}
