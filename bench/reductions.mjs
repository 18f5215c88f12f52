// Whole reductions on the two expression tiers (the VM and the generated loop) against a
// JS loop, in Node, resident float64 inputs, interleaved, medians of the engine's compute
// time (timing.computeMs; the JS loop's wall time).
//
//   node bench/reductions.mjs [--n 1000000] [--calls 41] [--threads 1]

import * as nw from '../web/src/node.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const n = arg('n', 1e6);
const calls = arg('calls', 41);
const threads = arg('threads', 1);
await nw.init({ threads: Math.max(threads, 1) });

const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7) + 2);
const rx = await nw.array(x);
const ry = await nw.array(y);
const cases = {
  'sum(x*y)': () => { let s = 0; for (let i = 0; i < n; i++) s += x[i] * y[i]; return s; },
  'sum(x)': () => { let s = 0; for (let i = 0; i < n; i++) s += x[i]; return s; },
  'mean(x*x + y)': () => { let s = 0; for (let i = 0; i < n; i++) s += x[i] * x[i] + y[i]; return s / n; },
  'max(x - y)': () => { let m = -Infinity; for (let i = 0; i < n; i++) { const v = x[i] - y[i]; if (v > m || v !== v) m = v; } return m; },
  'prod(y / 2.5 + 0.2)': () => { let p = 1; for (let i = 0; i < n; i++) p *= y[i] / 2.5 + 0.2; return p; },
};
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(`whole reductions, n = ${n}, ${threads} thread(s), Node ${process.version}; ms (medians of ${calls})`);
console.log('| expression | VM | generated | JS loop | generated / VM | generated / JS |');
console.log('|---|---|---|---|---|---|');
for (const [src, js] of Object.entries(cases)) {
  const t = { vm: [], wasm: [], js: [] };
  for (let i = 0; i < 10; i++) {
    await nw.evaluate(src, { x: rx, y: ry }, { tier: 'vm', threads });
    await nw.evaluate(src, { x: rx, y: ry }, { tier: 'wasm', threads });
    js();
  }
  let a, b;
  for (let i = 0; i < calls; i++) {
    a = await nw.evaluate(src, { x: rx, y: ry }, { tier: 'vm', threads });
    t.vm.push(a.timing.computeMs);
    b = await nw.evaluate(src, { x: rx, y: ry }, { tier: 'wasm', threads });
    if (b.timing.tier !== 'wasm') throw new Error(`${src} ran on ${b.timing.tier}`);
    t.wasm.push(b.timing.computeMs);
    const t0 = performance.now();
    js();
    t.js.push(performance.now() - t0);
  }
  if (!Object.is(a.data[0], b.data[0])) throw new Error(`${src}: VM ${a.data[0]} generated ${b.data[0]}`);
  const [v, w, j] = [med(t.vm), med(t.wasm), med(t.js)];
  console.log(`| \`${src}\` | ${v.toFixed(3)} | ${w.toFixed(3)} | ${j.toFixed(3)} | ${(w / v).toFixed(2)} | ${(w / j).toFixed(2)} |`);
}
process.exit(0);
