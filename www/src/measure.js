// Timing, as the playground's engine worker (engine-worker.js) does it. Both sides are warmed
// up until their times settle, then timed `repeats` times, checking for cancellation between
// calls:
//   numwasm: compute only, on resident inputs (nw.array) with the result written into a
//            resident array (`out`), so no call copies an input in or the result out; the
//            copies are timed separately (engine-worker.js) and shown as transfer;
//   JS loop: the generated loop over the worker's typed arrays (no copies either).

/**
 * The warm-up rule: calls repeat in rounds of at least ROUND_CALLS calls and ROUND_MS;
 * the warm-up ends when a round's median is within TOLERANCE of the previous round's (or
 * within two ticks of the timer), or after CAP_MS. The first call is timed on its own
 * (it includes compiling the loop or the engine's first touch of the memory) and is not
 * part of any round.
 */
export const SETTLE = { ROUND_CALLS: 5, ROUND_MS: 100, TOLERANCE: 0.05, CAP_MS: 4000 };

/** The rule in words, for the page. */
export function settleRule() {
  const { ROUND_CALLS, ROUND_MS, TOLERANCE, CAP_MS } = SETTLE;
  return `each row is warmed up in rounds of at least ${ROUND_CALLS} calls and ${ROUND_MS} ms until the median of a round ` +
    `is within ${TOLERANCE * 100}% of the round before it (at most ${CAP_MS / 1000} s), then timed`;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/**
 * A run in progress: `total` steps, a `report(fraction, label)` callback, and a cancelled
 * flag that check() turns into a Cancelled exception between calls.
 */
export class Task {
  constructor(total, report) {
    this.total = total;
    this.done = 0;
    this.cancelled = false;
    this.report = report;
    this.noted = 0;
  }

  check() {
    if (this.cancelled) throw new Cancelled();
  }

  /** One step done. */
  step(label, count = 1) {
    this.done = Math.min(this.total, this.done + count);
    this.report(this.done / this.total, label);
    this.check();
  }

  /** A new label without a step, at most every 100 ms unless `now`. */
  note(label, now = false) {
    const t = performance.now();
    if (!now && t - this.noted < 100) return;
    this.noted = t;
    this.report(this.done / this.total, label);
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summary(samples) {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
}

/** The timer's resolution in ms: 5 µs in a cross-origin isolated context, 100 µs otherwise. */
export const tick = () => (globalThis.crossOriginIsolated ? 0.005 : 0.1);

/**
 * Lets the worker's event loop run (a Cancel or a compile request may be waiting) when
 * more than 30 ms passed since it last did; a MessageChannel hop, not setTimeout, which
 * browsers clamp to 4 ms when nested.
 */
let lastYield = 0;
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
export function breathe(force = false) {
  const t = performance.now();
  if (!force && t - lastYield < 30) return null;
  lastYield = t;
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

/**
 * Warms `call` (resolves to the milliseconds of one call) up by the SETTLE rule. Resolves
 * to { first, calls, ms, settled, median } (the first call's time, the calls made, the
 * warm-up's duration, whether it settled before the cap, the last round's median).
 */
export async function warmUp(call, task, label) {
  const { ROUND_CALLS, ROUND_MS, TOLERANCE, CAP_MS } = SETTLE;
  const t0 = performance.now();
  const first = await call();
  let calls = 1;
  let previous = null;
  for (;;) {
    const round = [];
    const r0 = performance.now();
    while (round.length < ROUND_CALLS || performance.now() - r0 < ROUND_MS) {
      task.check();
      round.push(await call());
      calls += 1;
      task.note(`${label}: warming up (${calls} calls)`);
      if (performance.now() - t0 >= CAP_MS) break;
    }
    const m = median(round);
    const ms = performance.now() - t0;
    if (previous !== null && Math.abs(m - previous) <= Math.max(TOLERANCE * previous, 2 * tick())) {
      return { first, calls, ms, settled: true, median: m };
    }
    if (ms >= CAP_MS) return { first, calls, ms, settled: false, median: m };
    previous = m;
  }
}

/**
 * Times `callOnce` (an engine call resolving to { ms, threads, tier? }: its compute time,
 * the threads it ran on and the expression tier that ran it) by the SETTLE rule, then
 * `repeats` times: resolves to { used, tier, warm, median, min, max, samples }. `used` is
 * the most threads a timed call ran on: a call under the engine's parallel threshold runs on
 * one whatever was asked for. `tier`: the last call's (null for kernels).
 */
export async function timeEngine(callOnce, repeats, task, label) {
  task.check();
  let used = 1;
  let tier = null;
  const call = async () => {
    const r = await callOnce();
    used = Math.max(used, r.threads ?? 1);
    tier = r.tier ?? null;
    return r.ms;
  };
  const warm = await warmUp(call, task, label);
  task.step(`${label}: warmed up`);
  used = 1;
  const samples = [];
  for (let r = 0; r < repeats; r++) {
    samples.push(await call());
    task.step(`${label}: repeat ${r + 1}/${repeats}`);
  }
  return { used, tier, warm, ...summary(samples) };
}

/** Times a compiled expression on resident `inputs`, writing into the resident `out`, on `threads` (timeEngine). */
export function timeCompute(compiled, inputs, out, threads, repeats, task, label) {
  return timeEngine(async () => {
    const r = await compiled.run(inputs, { threads, out });
    return { ms: r.timing.computeMs, threads: r.timing.threads, tier: r.timing.tier };
  }, repeats, task, label);
}

/** Times the synchronous `fn` (the JS loop) the same way: { warm, median, min, max, samples }. */
export async function timeLoop(fn, repeats, task, label) {
  task.check();
  const call = async () => {
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    await breathe();
    return ms;
  };
  const warm = await warmUp(call, task, label);
  task.step(`${label}: warmed up`);
  const samples = [];
  for (let r = 0; r < repeats; r++) {
    samples.push(await call());
    task.step(`${label}: repeat ${r + 1}/${repeats}`);
  }
  return { warm, ...summary(samples) };
}
