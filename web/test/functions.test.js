// The package's function table (functions()) against what the engine accepts: every listed
// function compiles with each arity it lists and with its keywords, a wrong arity is the
// engine's TypeError, and a name not listed is a NameError.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as nw from '../src/node.js';

const kind = (k) => (e) => e.name === 'NumwasmError' && e.kind === k;

/** The value passed for a keyword parameter (given positionally or by name). */
const KEYWORD_VALUES = { axis: '0' };

/** A call with `n` positional arguments: float64 arrays a0, a1, a2, keyword values last. */
function call(f, n) {
  const firstKeyword = f.arity.max - f.keywords.length;
  const args = Array.from({ length: n }, (_, i) => {
    if (i < firstKeyword) return `a${i % 3}`;
    const value = KEYWORD_VALUES[f.keywords[i - firstKeyword]];
    assert.ok(value, `no test value for keyword ${f.keywords[i - firstKeyword]}`);
    return value;
  });
  return `${f.name}(${args.join(', ')})`;
}

const SIGNATURE = { a0: 'float64', a1: 'float64', a2: 'float64', m: { dtype: 'float64', shape: [2, 3] } };

test('functions() needs init()', () => {
  assert.throws(() => nw.functions(), kind('RuntimeError'));
});

test('the table is frozen data: unique names, aliases of listed rows, sane arities', async () => {
  await nw.init();
  const rows = nw.functions();
  assert.equal(nw.functions(), rows, 'the same table every call');
  assert.ok(Object.isFrozen(rows) && rows.every((r) => Object.isFrozen(r) && Object.isFrozen(r.keywords)));
  assert.ok(rows.length >= 50);
  const names = new Set(rows.map((r) => r.name));
  assert.equal(names.size, rows.length);
  for (const r of rows) {
    assert.deepEqual(Object.keys(r).sort(), ['accuracy', 'aliasOf', 'arity', 'doc', 'keywords', 'kind', 'name', 'op', 'rule']);
    assert.ok(['unary', 'binary', 'reduce', 'special'].includes(r.kind), r.name);
    assert.ok(['exact', 'ulp'].includes(r.accuracy), r.name);
    assert.ok(Number.isInteger(r.arity.min) && r.arity.min <= r.arity.max, r.name);
    assert.ok(r.doc.length > 0, r.name);
    if (r.aliasOf !== null) {
      const target = rows.find((t) => t.name === r.aliasOf);
      assert.ok(target && target.aliasOf === null, `${r.name}: alias of ${r.aliasOf}`);
      assert.equal(target.op, r.op);
    }
  }
  const sum = rows.find((r) => r.name === 'sum');
  assert.deepEqual({ ...sum, arity: { ...sum.arity }, keywords: [...sum.keywords] }, {
    name: 'sum', kind: 'reduce', op: 'sum', arity: { min: 1, max: 2 }, rule: 'accumulate', keywords: ['axis'],
    accuracy: 'exact', doc: 'sum of the elements, or along axis', aliasOf: null,
  });
});

test('every listed function compiles with its arities and keywords, to its op', async () => {
  await nw.init();
  for (const f of nw.functions()) {
    for (let n = f.arity.min; n <= f.arity.max; n++) {
      const source = call(f, n);
      const c = await nw.compile(source, SIGNATURE);
      try {
        if (f.kind !== 'special' && f.op !== 'mean') {
          const ir = await c.ir();
          assert.ok(ir.nodes.some((node) => node.kind === f.kind && node.op === f.op), `${source}: no ${f.kind} ${f.op}`);
        }
      } finally {
        c.free();
      }
    }
    for (const k of f.keywords) {
      const c = await nw.compile(`${f.name}(m, ${k}=${KEYWORD_VALUES[k]})`, SIGNATURE);
      c.free();
    }
  }
});

test('a wrong arity is the TypeError the table implies', async () => {
  await nw.init();
  for (const f of nw.functions()) {
    const { min, max } = f.arity;
    for (const n of [min - 1, max + 1].filter((k) => k >= 0)) {
      const source = `${f.name}(${Array.from({ length: n }, (_, i) => `a${i % 3}`).join(', ')})`;
      const want = min === max ? `${max}` : `${min} to ${max}`;
      await assert.rejects(nw.compile(source, SIGNATURE), (e) => {
        assert.equal(e.kind, 'TypeError', source);
        assert.equal(e.message, `${f.name}() takes ${want} positional argument${max === 1 ? '' : 's'} but ${n} were given`);
        return true;
      });
    }
  }
});

test('a name not listed is a NameError, with the closest listed name suggested', async () => {
  await nw.init();
  const names = new Set(nw.functions().map((f) => f.name));
  const unlisted = ['len', 'nosuch', 'sinn', 'logaddexp', 'arange', ...[...names].map((n) => `${n}_`)].filter((n) => !names.has(n));
  assert.ok(unlisted.length > names.size);
  for (const name of unlisted) {
    await assert.rejects(nw.evaluate(`${name}(a0)`, { a0: new Float64Array(4) }), (e) => {
      assert.equal(e.kind, 'NameError', name);
      assert.equal(e.message, `function '${name}' is not defined`);
      // Either a listed name close to it, or the statement that there is none.
      for (const note of e.notes) {
        if (note === `the expression language has no function '${name}'`) continue;
        const suggested = /^did you mean '(\w+)'\?$/.exec(note)?.[1];
        assert.ok(names.has(suggested), `${name}: ${note}`);
      }
      return true;
    });
  }
  await assert.rejects(nw.evaluate('sinn(a0)', { a0: new Float64Array(4) }), (e) => e.notes[0] === "did you mean 'sin'?");
});
