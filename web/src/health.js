// The health word: a small shared buffer through which any thread of an engine (the compute
// worker or a pool thread) can tell the caller's thread that the engine is broken, even
// while the compute worker is blocked inside a call. Word 0 is 0 while healthy and 1 after a
// failure; word 1 is the byte length of the reason, UTF-8 from byte 8 on. The caller waits
// on word 0 with Atomics.waitAsync, which does not keep a Node process alive.

const BYTES = 1024;

/** A new health buffer, or null where there is no shared memory (no pool either then). */
export function createHealth() {
  return typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(BYTES) : null;
}

/** Marks `health` failed with `reason`; the first report wins. */
export function reportFailure(health, reason) {
  if (!health) return;
  const words = new Int32Array(health, 0, 2);
  if (Atomics.compareExchange(words, 0, 0, 2) !== 0) return;
  const bytes = new TextEncoder().encode(reason).subarray(0, BYTES - 8);
  new Uint8Array(health, 8, bytes.length).set(bytes);
  words[1] = bytes.length;
  Atomics.store(words, 0, 1);
  Atomics.notify(words, 0);
}

/** Calls `fn(reason)` once `health` reports a failure. */
export async function watchHealth(health, fn) {
  if (!health || typeof Atomics.waitAsync !== 'function') return;
  const words = new Int32Array(health, 0, 2);
  for (;;) {
    const state = Atomics.load(words, 0);
    if (state === 1) break;
    // 2: a report is being written; 0: healthy. Either way wait for the next change.
    const w = Atomics.waitAsync(words, 0, state);
    if (w.async) await w.value;
  }
  const len = words[1];
  // TextDecoder does not read shared memory: copy the bytes out first.
  fn(new TextDecoder().decode(new Uint8Array(health, 8, len).slice()));
}
