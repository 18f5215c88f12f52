// kernelLibrary(): what a kernel module may name, from the engine's own tables, as the
// playground's kernel-mode completions read it. Every np.* and math.* name it lists is one
// a kernel can use (a name it does not list is a TypingError), and it is frozen data.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as nw from '../src/node.js';

const kind = (k) => (e) => e.name === 'NumwasmError' && e.kind === k;

test('kernelLibrary() needs init()', () => {
  assert.throws(() => nw.kernelLibrary(), kind('RuntimeError'));
});

test('the library is frozen data naming np, math, numba and the decorators\' options', async () => {
  await nw.init();
  const lib = nw.kernelLibrary();
  assert.equal(nw.kernelLibrary(), lib);
  assert.ok(Object.isFrozen(lib) && Object.isFrozen(lib.numpy) && Object.isFrozen(lib.options.njit));
  assert.deepEqual(Object.keys(lib).sort(), ['math', 'numba', 'numpy', 'options']);
  for (const d of ['njit', 'jit', 'vectorize', 'guvectorize', 'stencil']) {
    assert.ok(lib.numba.includes(d), d);
    assert.ok(lib.options[d].length > 0, d);
  }
  assert.ok(lib.options.njit.includes('parallel=True'));
  assert.ok(lib.numpy.includes('arcsin') && lib.math.includes('atan2'));
});

test('every listed np.* and math.* name resolves in a kernel; an unlisted one is a TypingError', async () => {
  await nw.init();
  const lib = nw.kernelLibrary();
  for (const [mod, names] of [['np', lib.numpy], ['math', lib.math]]) {
    for (const n of names) {
      // The name as a value: a function is then a typing error of its own kind, but never
      // an unknown attribute.
      const m = await nw.kernels(`import numpy as np\nimport math\nfrom numba import njit\n\n@njit\ndef touch(x):\n    f = ${mod}.${n}\n    return x\n`);
      const err = await m.call('touch', [1.0]).catch((e) => e);
      if (err instanceof Error) assert.doesNotMatch(err.message, /Unknown attribute/, `${mod}.${n}: ${err.message}`);
      m.free();
    }
  }
  const m = await nw.kernels('import numpy as np\nfrom numba import njit\n\n@njit\ndef f(x):\n    return np.nope(x)\n');
  await assert.rejects(m.call('f', [1.0]), (e) => kind('TypingError')(e) && /Unknown attribute 'nope'/.test(e.message));
});
