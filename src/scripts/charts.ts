/**
 * Draws every <canvas data-chart> on the page with chart.js. Only the chart
 * types used are registered, to keep the bundle small; colours are set
 * explicitly (a tree-shaken chart.js draws grey otherwise).
 */
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController,
  Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

interface Spec {
  kind: 'bar' | 'doughnut' | 'line';
  labels: string[];
  series: { label: string; values: (number | null)[]; colour?: string }[];
  unit: string;
  horizontal: boolean;
  /** A doughnut's colour per label (status tones, the badges' colours). */
  labelColours?: string[];
}

const PALETTE = ['#00703c', '#1d4ed8', '#8a4b00', '#b3261e', '#6f3ea8', '#505a5f', '#0b7285', '#a61e4d'];

export function drawCharts(): void {
  for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
    if (canvas.dataset.drawn) continue;
    canvas.dataset.drawn = '1';
    const spec = JSON.parse(canvas.dataset.chart!) as Spec;
    const doughnut = spec.kind === 'doughnut';
    new Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, i) => ({
          label: s.label,
          data: s.values,
          backgroundColor: doughnut ? spec.labels.map((_, k) => spec.labelColours?.[k] ?? PALETTE[k % PALETTE.length]!) : (s.colour ?? PALETTE[i % PALETTE.length]!),
          borderColor: doughnut ? '#fff' : (s.colour ?? PALETTE[i % PALETTE.length]!),
        })),
      },
      options: {
        indexAxis: spec.horizontal ? 'y' : 'x',
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: doughnut || spec.series.length > 1 },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}：${ctx.formattedValue}${spec.unit}` } },
        },
        ...(doughnut ? {} : { scales: { [spec.horizontal ? 'x' : 'y']: { beginAtZero: true, ...(spec.unit === '%' ? { max: 100 } : {}) } } }),
      },
    });
  }
}
