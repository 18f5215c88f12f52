// The two charts (Chart.js): compute time and speedup versus thread count, with the ideal
// speedup line, the JS baseline and compute plus the copies in and out (what a call on JS
// arrays costs); and compute time versus N on log axes for serial, parallel and JS, with
// the copies. Every series says whether it is compute or transfer.

import {
  CategoryScale, Chart, Filler, Legend, LineController, Title, LineElement, LinearScale, LogarithmicScale, PointElement,
  Tooltip,
} from 'chart.js';

import { tick } from './measure.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip, Filler, Title);

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function palette() {
  return { fg: css('--fg'), muted: css('--muted'), line: css('--line'), accent: css('--accent'), warn: css('--warn'), good: css('--good') };
}

/**
 * Labels a log axis at 1, 2 and 5 per decade, or at the decades alone when it spans more
 * than two (on a 240 px chart, more labels than that run into each other).
 */
function oneTwoFive(v) {
  const span = Math.log10(this.max / this.min);
  const m = Math.round(v / 10 ** Math.floor(Math.log10(v)) * 1e6) / 1e6;
  return (span > 2 ? [1] : [1, 2, 5]).includes(m) ? String(Number(v.toPrecision(3))) : '';
}
/**
 * A time as the log axes draw it: a log axis has no 0, so a time under the timer's
 * resolution (5 µs isolated, 100 µs otherwise; measured as 0) is drawn at the resolution.
 */
const floor = (ms) => Math.max(ms, tick());
const decades = (v) => (Number.isInteger(Math.log10(v)) ? (v >= 1000 ? `1e${Math.log10(v)}` : String(v)) : '');

function base(p, title) {
  Chart.defaults.color = p.muted;
  Chart.defaults.borderColor = p.line;
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { title: { display: true, text: title, color: p.fg, font: { weight: '600' } }, legend: { labels: { boxWidth: 12, color: p.fg } }, tooltip: { mode: 'index', intersect: false } },
    interaction: { mode: 'nearest', intersect: false },
  };
}

export class Charts {
  constructor(threadsCanvas, nCanvas) {
    this.canvases = [threadsCanvas, nCanvas];
    this.threads = null;
    this.n = null;
    this.maxN = 1e7;
    this.build();
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      const t = this.threads.data;
      const n = this.n.data;
      this.threads.destroy();
      this.n.destroy();
      this.build();
      this.threads.data = t;
      this.n.data = n;
      this.threads.update();
      this.n.update();
    });
  }

  build() {
    const p = palette();
    this.threads = new Chart(this.canvases[0], {
      type: 'line',
      data: { datasets: [] },
      options: {
        ...base(p, 'Time and speedup vs threads (Run or Scaling)'),
        scales: {
          x: { type: 'linear', title: { display: true, text: 'threads' }, ticks: { stepSize: 1, precision: 0 } },
          // Log: the copies can take tens of times the compute, which a linear axis would flatten.
          y: { type: 'logarithmic', title: { display: true, text: 'ms (median after warm-up)' }, ticks: { callback: oneTwoFive, autoSkip: false } },
          y2: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: 'speedup vs 1 thread' }, grid: { drawOnChartArea: false } },
        },
      },
    });
    this.n = new Chart(this.canvases[1], {
      type: 'line',
      data: { datasets: [] },
      options: {
        ...base(p, 'Time vs N, log–log (Sweep N)'),
        scales: {
          x: { type: 'logarithmic', min: 1e3, max: this.maxN, title: { display: true, text: 'N (elements)' }, ticks: { callback: decades, autoSkip: false, maxRotation: 0 } },
          y: { type: 'logarithmic', title: { display: true, text: 'ms (median after warm-up)' }, ticks: { callback: oneTwoFive, autoSkip: false } },
        },
      },
    });
    this.p = p;
  }

  /** Empties both charts and hides their figures (results of the other mode). */
  clear() {
    for (const chart of [this.threads, this.n]) {
      chart.data.datasets = [];
      chart.update();
      chart.canvas.parentElement.hidden = true;
    }
  }

  /** Shows a chart's figure (hidden until it has data) and sizes the chart to it. */
  reveal(chart) {
    const figure = chart.canvas.parentElement;
    if (!figure.hidden) return;
    figure.hidden = false;
    chart.resize();
  }

  /**
   * rows: [{ threads, median, min, max }] (compute); js: { median } or null; transfer:
   * { in, out } (summaries of the copies) or null.
   */
  setThreads(rows, js, transfer) {
    const p = this.p;
    this.reveal(this.threads);
    const t1 = rows.find((r) => r.threads === 1)?.median;
    const maxT = Math.max(1, ...rows.map((r) => r.threads));
    const point = (r, y) => ({ x: r.threads, y });
    const time = (r, y) => point(r, floor(y));
    this.threads.data.datasets = [
      { label: 'numwasm compute', data: rows.map((r) => time(r, r.median)), borderColor: p.accent, backgroundColor: p.accent, yAxisID: 'y' },
      { label: 'min–max', data: rows.map((r) => time(r, r.max)), borderColor: 'transparent', backgroundColor: 'transparent', pointRadius: 0, yAxisID: 'y' },
      { label: 'spread', data: rows.map((r) => time(r, r.min)), borderColor: 'transparent', backgroundColor: `${p.accent}33`, fill: '-1', pointRadius: 0, yAxisID: 'y' },
      ...(transfer ? [{ label: 'compute + copies', data: rows.map((r) => time(r, r.median + transfer.in.median + transfer.out.median)), borderColor: p.muted, backgroundColor: p.muted, borderDash: [3, 3], yAxisID: 'y' }] : []),
      ...(js ? [{ label: 'JS loop', data: [{ x: 1, y: floor(js.median) }, { x: maxT, y: floor(js.median) }], borderColor: p.warn, backgroundColor: p.warn, borderDash: [6, 4], pointRadius: 0, yAxisID: 'y' }] : []),
      ...(t1 ? [
        { label: 'speedup', data: rows.filter((r) => r.median > 0).map((r) => point(r, t1 / r.median)), borderColor: p.good, backgroundColor: p.good, yAxisID: 'y2' },
        { label: 'ideal', data: [{ x: 1, y: 1 }, { x: maxT, y: maxT }], borderColor: p.muted, borderDash: [2, 3], pointRadius: 0, yAxisID: 'y2' },
      ] : []),
    ];
    this.threads.options.plugins.legend.labels.filter = (item) => item.text !== 'min–max';
    this.threads.update();
    describe(this.threads);
  }

  /**
   * rows: [{ n, serial, parallel, js, transfer }] (medians of the compute in ms, js may be
   * null; transfer: the copies in and out); P: parallel threads; maxN: the largest N of
   * the sweep, where the x axis ends.
   */
  setSizes(rows, P, maxN) {
    const p = this.p;
    this.reveal(this.n);
    // A sweep up to 1e3 has one point: the axis keeps a decade so it has a width.
    this.maxN = Math.max(maxN, 1e4);
    this.n.options.scales.x.max = this.maxN;
    const series = (key) => rows.filter((r) => r[key] != null).map((r) => ({ x: r.n, y: floor(r[key]) }));
    this.n.data.datasets = [
      { label: 'numwasm compute, 1 thread', data: series('serial'), borderColor: p.muted, backgroundColor: p.muted },
      { label: `numwasm compute, ${P} threads`, data: series('parallel'), borderColor: p.accent, backgroundColor: p.accent },
      { label: 'JS loop', data: series('js'), borderColor: p.warn, backgroundColor: p.warn, borderDash: [6, 4] },
      // Kernel runs have no copies apart from the call (their rows carry transfer: null).
      ...(rows.some((r) => r.transfer != null) ? [{ label: 'copies in/out', data: series('transfer'), borderColor: p.good, backgroundColor: p.good, borderDash: [3, 3] }] : []),
    ];
    this.n.update();
    describe(this.n);
  }
}

/** What a chart shows, as data-series on its canvas (for tests and accessibility tools). */
function describe(chart) {
  const series = chart.data.datasets.filter((d) => d.label !== 'min–max').map((d) => ({ label: d.label, points: d.data.length }));
  chart.canvas.dataset.series = JSON.stringify(series);
  chart.canvas.dataset.x = JSON.stringify([chart.scales.x.min, chart.scales.x.max]);
}
