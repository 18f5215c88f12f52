import * as nw from '/web/src/index.js';

const $ = (id) => document.getElementById(id);
const N = 20_000_000;

async function main() {
  const s = await nw.init();
  $('status').textContent =
    `numwasm ${s.version} · build: ${s.build} · pool: ${s.poolSize} thread${s.poolSize === 1 ? '' : 's'}` +
    ` · cores: ${s.ncores} · crossOriginIsolated: ${s.crossOriginIsolated}`;
  if (!s.crossOriginIsolated) {
    $('isolation').hidden = false;
    $('isolation').textContent =
      'This page is not cross-origin isolated (it needs the Cross-Origin-Opener-Policy: same-origin and ' +
      'Cross-Origin-Embedder-Policy: require-corp headers), so browsers give it no SharedArrayBuffer: ' +
      'numwasm runs its single-threaded SIMD build.';
  }
  $('run').disabled = false;
  $('run').onclick = run;
}

async function run() {
  $('run').disabled = true;
  const body = $('results').querySelector('tbody');
  body.replaceChildren();
  $('results').hidden = false;
  let base = null;
  for (let k = 1; k <= nw.poolSize; k++) {
    await nw.selfTest(N / 10, { threads: k }); // warm-up
    const times = [];
    let value;
    for (let r = 0; r < 3; r++) {
      const res = await nw.selfTest(N, { threads: k });
      times.push(res.computeMs);
      value = res.value;
    }
    times.sort((a, b) => a - b);
    const med = times[1];
    base ??= med;
    const row = document.createElement('tr');
    for (const text of [k, med.toFixed(1), `${(base / med).toFixed(2)}×`, value.toPrecision(17)]) {
      const td = document.createElement('td');
      td.textContent = text;
      row.append(td);
    }
    body.append(row);
  }
  $('run').disabled = false;
}

main().catch((e) => {
  $('status').textContent = `failed to start: ${e.format ? e.format() : e.message}`;
});
