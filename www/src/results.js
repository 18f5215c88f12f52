// Renders the result preview (first values, shape, dtype, summary statistics) and the
// timing table (median and spread per thread count, speedups, the JS baseline).

const el = (tag, { dataset, ...props } = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  Object.assign(e.dataset, dataset ?? {});
  e.append(...children);
  return e;
};

export function fmt(x) {
  if (typeof x === 'bigint') return x.toString();
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-4 || a >= 1e9) ? x.toExponential(6) : String(Number(x.toPrecision(10)));
}

export const ms = (x) => (x === 0 ? '≈0' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

function stats(data, dtype) {
  const n = data.length;
  if (n === 0) return {};
  if (typeof data[0] === 'bigint') {
    let lo = data[0];
    let hi = data[0];
    let sum = 0;
    for (const v of data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += Number(v);
    }
    return { min: lo, max: hi, mean: sum / n };
  }
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let nan = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v !== v) {
      nan += 1;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
  }
  const out = { min: lo, max: hi, mean: sum / (n - nan || 1) };
  if (dtype.startsWith('float')) out.nan = nan;
  return out;
}

/** The result preview: `r` is numwasm's NDArray. */
export function renderResult(root, r, note) {
  const shape = `(${r.shape.join(', ')}${r.shape.length === 1 ? ',' : ''})`;
  const first = Array.from(r.data.subarray(0, 8), fmt);
  const s = stats(r.data, r.dtype);
  const table = el('table', {},
    el('tr', {}, el('th', { textContent: 'shape' }), el('td', { textContent: shape, className: 'mono' })),
    el('tr', {}, el('th', { textContent: 'dtype' }), el('td', { textContent: r.dtype, className: 'mono' })),
    ...Object.entries(s).map(([k, v]) => el('tr', {}, el('th', { textContent: k }), el('td', { textContent: fmt(v), className: 'mono', dataset: { stat: k } }))),
  );
  const values = el('div', { className: 'values mono', dataset: { testid: 'values' } },
    r.shape.length === 0 ? first[0] : `[${first.join(', ')}${r.data.length > 8 ? ', …' : ''}]`);
  root.replaceChildren(values, table, ...(note ? [el('p', { className: 'hint', textContent: note })] : []));
  root.dataset.values = JSON.stringify(Array.from(r.data.subarray(0, 8), (v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** rows: [{ threads, median, min, max, samples }] sorted by threads; js: summary or null. */
export function renderTiming(root, rows, js, n) {
  const t1 = rows.find((r) => r.threads === 1)?.median;
  const head = el('tr', {}, ...['threads', 'median ms', 'min–max ms', 'speedup', 'time / JS'].map((h) => el('th', { textContent: h })));
  const body = rows.map((r) => el('tr', { dataset: { threads: r.threads, used: r.used ?? r.threads } },
    el('th', { textContent: r.used !== undefined && r.used < r.threads ? `${r.threads} (ran on ${r.used})` : `${r.threads}` }),
    el('td', { textContent: ms(r.median) }),
    el('td', { textContent: `${ms(r.min)}–${ms(r.max)}` }),
    el('td', { textContent: t1 && r.median ? `${(t1 / r.median).toFixed(2)}×` : '–' }),
    el('td', { textContent: js && js.median ? `${(r.median / js.median).toFixed(2)}×` : '–' })));
  const jsRow = js
    ? [el('tr', { dataset: { threads: 'js' } }, el('th', { textContent: 'JS loop' }), el('td', { textContent: ms(js.median) }),
      el('td', { textContent: `${ms(js.min)}–${ms(js.max)}` }), el('td', { textContent: '' }), el('td', { textContent: '1.00×' }))]
    : [];
  const reps = rows[0]?.samples.length ?? js?.samples.length ?? 0;
  root.replaceChildren(el('table', {}, head, ...body, ...jsRow),
    el('p', { className: 'hint', textContent: `N = ${n.toLocaleString('en-US')}; ${reps} timed repeats after a warm-up per row (at least 3 calls and 250 ms); speedup is numwasm on 1 thread / this row (above 1: faster); "time / JS" is numwasm's time / the JS loop's (below 1: numwasm is faster), the convention of the README and the benchmark reports. A call the engine estimates at under 0.5 ms runs on one thread whatever the setting ("ran on 1"). Times are only as fine as the browser's timer (5 µs isolated, 100 µs otherwise).` }));
}

/** The baseline's verdict line. */
export function renderBaseline(root, b) {
  root.className = 'baseline';
  if (!b) {
    root.textContent = '';
  } else if (b.unsupported) {
    root.textContent = `No JS baseline for this expression: ${b.unsupported}.`;
    root.classList.add('hint');
  } else if (!b.check.ok) {
    const f = b.check.first;
    root.textContent = `JS baseline MISMATCH: ${b.check.bad.toLocaleString('en-US')} of ${b.count.toLocaleString('en-US')} values differ; first at index ${f.index}: numwasm ${f.numwasm}, JS ${f.js}. Not timed.`;
    root.classList.add('bad');
  } else {
    const how = b.tolerance === 'exact' || b.check.maxUlp === 0
      ? 'identical to numwasm'
      : b.tolerance === 'sum'
        ? 'equal to numwasm within the summation error bound (numwasm sums pairwise, the loop in index order)'
        : `equal to numwasm within ${b.check.maxUlp} ULP (Math.* and numwasm's vector math may round differently)`;
    root.textContent = `JS baseline checked: ${how} ${b.count === 1 ? 'for the result' : `on all ${b.count.toLocaleString('en-US')} values`}.`;
    root.classList.add('good');
  }
  root.dataset.state = !b ? '' : b.unsupported ? 'none' : b.check.ok ? 'ok' : 'mismatch';
}
