// Renders the result preview (first values, shape, dtype, summary statistics) and the
// timing tables: compute (median and spread per thread count, speedups, the JS baseline)
// and transfer (the copies in and out of wasm memory), with how each row was warmed up.

import { settleRule } from './measure.js';

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

/** Megabytes, as the transfer table writes them. */
const mb = (bytes) => `${(bytes / 1e6).toFixed(bytes >= 1e7 ? 0 : bytes >= 1e6 ? 1 : 3)} MB`;

/** The result preview: `p` is preview.js's preview of numwasm's result. */
export function renderResult(root, p, note) {
  const shape = `(${p.shape.join(', ')}${p.shape.length === 1 ? ',' : ''})`;
  const first = p.first.map(fmt);
  const table = el('table', {},
    el('tr', {}, el('th', { textContent: 'shape' }), el('td', { textContent: shape, className: 'mono' })),
    el('tr', {}, el('th', { textContent: 'dtype' }), el('td', { textContent: p.dtype, className: 'mono' })),
    ...Object.entries(p.stats).map(([k, v]) => el('tr', {}, el('th', { textContent: k }), el('td', { textContent: fmt(v), className: 'mono', dataset: { stat: k } }))),
  );
  const values = el('div', { className: 'values mono', dataset: { testid: 'values' } },
    p.shape.length === 0 ? first[0] : `[${first.join(', ')}${p.length > 8 ? ', …' : ''}]`);
  root.replaceChildren(values, table, ...(note ? [el('p', { className: 'hint', textContent: note })] : []));
  root.dataset.values = JSON.stringify(p.first.map((v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** How a row's warm-up went, in words. */
function warmText(label, w) {
  const end = w.settled ? `settled after ${w.calls} calls (${(w.ms / 1000).toFixed(1)} s)` : `still changing when the cap stopped it after ${w.calls} calls (${(w.ms / 1000).toFixed(1)} s)`;
  return `${label}: first call ${ms(w.first)} ms, ${end}`;
}

/**
 * The timing tables. rows: [{ threads, used, median, min, max, samples, warm }] sorted by
 * threads (numwasm's compute on resident inputs, measure.js); js: the JS loop's timing or
 * null; transfer: { arrays, inBytes, outBytes, in, out } or null (the copies between JS
 * arrays and wasm memory, timed on their own: summaries with `first`).
 */
export function renderTiming(root, rows, js, transfer, n, kernel = false) {
  const t1 = rows.find((r) => r.threads === 1)?.median;
  // No ratio with a time under the timer's resolution (shown as ≈0) on either side.
  const ratio = (t) => (js && js.median > 0 && t > 0 ? `${(t / js.median).toFixed(2)}×` : '–');
  const head = el('tr', {}, ...['threads', 'compute ms (median)', 'min–max ms', 'speedup', 'time / JS'].map((h) => el('th', { textContent: h })));
  const body = rows.map((r) => el('tr', { dataset: { threads: r.threads, used: r.used ?? r.threads, kind: 'compute', ...(r.tier ? { tier: r.tier } : {}) } },
    el('th', { textContent: r.used !== undefined && r.used < r.threads ? `${r.threads} (ran on ${r.used})` : `${r.threads}` }),
    el('td', { textContent: ms(r.median) }),
    el('td', { textContent: `${ms(r.min)}–${ms(r.max)}` }),
    el('td', { textContent: t1 && r.median ? `${(t1 / r.median).toFixed(2)}×` : '–' }),
    el('td', { textContent: ratio(r.median) })));
  const jsRow = js
    ? [el('tr', { dataset: { threads: 'js', kind: 'compute' } }, el('th', { textContent: kernel ? 'JS baseline' : 'JS loop' }), el('td', { textContent: ms(js.median) }),
      el('td', { textContent: `${ms(js.min)}–${ms(js.max)}` }), el('td', { textContent: '' }), el('td', { textContent: '1.00×' }))]
    : [];
  const parts = [el('table', { dataset: { kind: 'compute' } },
    el('caption', {
      textContent: kernel
        ? "Compute: numwasm's kernel call on resident arguments (the result it returns included); the JS baseline on its typed arrays"
        : 'Compute: numwasm on resident inputs into a resident result (no copies); the JS loop on its typed arrays',
    }),
    head, ...body, ...jsRow)];

  const notes = [...rows.map((r) => r.warm && warmText(`numwasm, ${r.threads} thread${r.threads === 1 ? '' : 's'}`, r.warm)), js?.warm && warmText('JS loop', js.warm)].filter(Boolean);
  if (transfer) {
    const copies = transfer.in.median + transfer.out.median;
    const row = (kind, label, s) => el('tr', { dataset: { kind } }, el('th', { textContent: label }), el('td', { textContent: ms(s.median) }),
      el('td', { textContent: `${ms(s.min)}–${ms(s.max)}` }), el('td', { textContent: '' }));
    const inLabel = transfer.arrays
      ? `inputs in (${transfer.arrays} array${transfer.arrays === 1 ? '' : 's'}, ${mb(transfer.inBytes)}, nw.array)`
      : 'inputs in (scalars: nothing to copy)';
    parts.push(el('table', { dataset: { kind: 'transfer' } },
      el('caption', { textContent: 'Transfer: copies between JS typed arrays and wasm memory, timed apart from the compute' }),
      el('tr', {}, ...['copy', 'ms (median)', 'min–max ms', 'time / JS'].map((h) => el('th', { textContent: h }))),
      row('transfer-in', inLabel, transfer.in),
      row('transfer-out', `result out (${mb(transfer.outBytes)}, toArray)`, transfer.out),
      ...rows.map((r) => el('tr', { dataset: { kind: 'call', callThreads: r.threads } },
        el('th', { textContent: `compute on ${r.threads} thread${r.threads === 1 ? '' : 's'} + copies: a call on JS arrays` }),
        el('td', { textContent: ms(r.median + copies) }), el('td', { textContent: '' }), el('td', { textContent: ratio(r.median + copies) })))));
    notes.push(`copies: the first copy in took ${ms(transfer.in.first)} ms, the first copy out ${ms(transfer.out.first)} ms (not warmed up, timed ${rows[0]?.samples.length ?? 0} times each after those)`);
  }
  const tier = rows.find((r) => r.tier)?.tier;
  if (tier === 'wasm') notes.push('numwasm ran the expression as one fused loop generated to WebAssembly at run time (tier "wasm")');
  else if (tier === 'vm') notes.push('numwasm ran the expression on its block VM (tier "vm": reductions and vector math run there)');
  const reps = rows[0]?.samples.length ?? js?.samples.length ?? 0;
  parts.push(
    el('p', { className: 'hint', dataset: { testid: 'warmup' } }, `Warm-up: ${settleRule()} ${reps} times. ${notes.join('; ')}${notes.length ? '.' : ''}`),
    kernel
      ? el('p', { className: 'hint', textContent: `N = ${n.toLocaleString('en-US')}. Compute is the engine's time for one call of the kernel (timing.computeMs) on arguments made resident with nw.array, so no argument is copied in; the result the kernel returns is built in the call and included. Threads bound the pool threads the kernel's parallel loops may use (prange, a parallel ufunc or gufunc, a stencil); a kernel without any runs on one ("ran on 1"), as does a parallel loop the engine estimates at under 0.5 ms. Speedup is numwasm on 1 thread / this row; "time / JS" is numwasm's time / the JS baseline's (below 1: numwasm is faster). The JS baseline is generated from the typed kernel IR and runs in the same worker. Times are only as fine as the browser's timer (5 µs isolated, 100 µs otherwise).` })
      : el('p', { className: 'hint', textContent: `N = ${n.toLocaleString('en-US')}. Compute is the engine's time for one call whose inputs and result stay in wasm memory (inputs made with nw.array, the result written into a resident out); an app that passes JS typed arrays also pays the copies, shown under transfer, where "compute + copies" adds them up. Speedup is numwasm on 1 thread / this row (above 1: faster); "time / JS" is numwasm's time / the JS loop's (below 1: numwasm is faster), the convention of the README and the benchmark reports. A call the engine estimates at under 0.5 ms runs on one thread whatever the setting ("ran on 1"). Times are only as fine as the browser's timer (5 µs isolated, 100 µs otherwise).` }),
  );
  root.replaceChildren(...parts);
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
