// Marks result elements (preview, timing table, check line, charts) whose contents came
// from another expression, N or inputs than the ones now on the page, so an earlier run's
// numbers never pass for the current state's. Each element is stamped with the state its
// run used; update() compares every stamp with the current state.

/** Why results computed for `was` do not describe `now`, or '' when they still do. */
function reason(was, now) {
  if (was.source !== now.source) return `stale: from the previous ${now.kernel ? 'kernel' : 'expression'}`;
  if (was.n !== now.n) return `stale: from N = ${was.n.toLocaleString('en-US')}`;
  if (was.inputs !== now.inputs) return `stale: from the previous ${now.kernel ? 'arguments' : 'inputs'}`;
  return '';
}

export class Freshness {
  constructor() {
    this.stamps = new Map();
  }

  /** Records that `el` now shows results computed for `parts` ({ source, inputs, n }). */
  stamp(el, parts) {
    this.stamps.set(el, parts);
  }

  /** Forgets every stamp and clears the marks (the page switched modes and cleared its results). */
  clear() {
    for (const el of this.stamps.keys()) delete el.dataset.stale;
    this.stamps.clear();
  }

  /** Sets or clears data-stale (shown and dimmed by the style sheet) on every stamped element. */
  update(now) {
    for (const [el, was] of this.stamps) {
      const why = reason(was, now);
      if (why) el.dataset.stale = why;
      else delete el.dataset.stale;
    }
  }
}
