// One face for the two kinds of thread the package talks to. Browsers have web Workers
// (addEventListener, 'error' events, `self` inside); Node has worker_threads (an
// EventEmitter with 'message', 'error' and 'exit', `parentPort` inside). The compute worker,
// the pool and the call queue are written once against this face, and only the entry files
// (index.js, worker.js, pool-worker.js for browsers; node.js, node-worker.js,
// node-pool-worker.js for Node) name the platform's own classes. This file imports nothing
// from Node, so bundlers for browsers can follow it.

/**
 * Wraps a worker (as seen by its creator) or the parent side inside one (`self`,
 * `parentPort`): { post, onMessage, onFail, terminate, ref, unref }.
 */
export function endpoint(target) {
  const node = typeof target.on === 'function';
  return {
    node,
    post(data, transfer = []) {
      target.postMessage(data, transfer);
    },
    onMessage(fn) {
      if (node) target.on('message', fn);
      else target.addEventListener('message', (e) => fn(e.data));
    },
    /**
     * Calls `fn(reason)` once when the worker stops serving: an uncaught error, a message
     * that cannot be read, or (Node) its exit. A browser gives no event when a worker just
     * ends; `watchLock` (below) covers that case where the browser has Web Locks.
     */
    onFail(fn) {
      let done = false;
      const once = (reason) => {
        if (done) return;
        done = true;
        fn(reason);
      };
      if (node) {
        target.on('error', (e) => once(`the worker threw ${describe(e)}`));
        target.on('messageerror', (e) => once(`a message could not be read (${describe(e)})`));
        target.on('exit', (code) => once(`the worker exited (exit code ${code})`));
      } else {
        target.addEventListener('error', (e) => {
          e.preventDefault?.();
          once(`the worker threw ${e.message ?? 'an error'}`);
        });
        target.addEventListener('messageerror', () => once('a message could not be read'));
      }
      return once;
    },
    /** Ends the worker; in Node resolves once its thread has stopped. */
    terminate() {
      return Promise.resolve(target.terminate());
    },
    /** Node: whether an idle worker may keep the process alive (browsers: nothing to do). */
    ref() {
      target.ref?.();
    },
    unref() {
      target.unref?.();
    },
  };
}

function describe(e) {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Browsers: calls `fn()` when the worker holding lock `name` ends, however it ends. The
 * worker takes the lock at start and never releases it; the browser releases it when the
 * worker's global goes away, which grants this request. A no-op without Web Locks.
 */
export function watchLock(name, fn) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return;
  locks.request(name, () => fn()).catch(() => {});
}

/** Worker side of `watchLock`: holds lock `name` for the worker's lifetime. */
export function holdLock(name) {
  const locks = globalThis.navigator?.locks;
  if (!locks || !name) return Promise.resolve();
  return new Promise((held) => {
    locks.request(name, () => {
      held();
      return new Promise(() => {});
    }).catch(() => held());
  });
}
