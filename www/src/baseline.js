// The JS-loop baseline: generates, from the expression's lowered IR (Compiled.ir()), the
// loop a careful person would write by hand over typed arrays, with NumPy's semantics:
// float64 is plain JS arithmetic and Math.*, float32 rounds with Math.fround after every
// operation, narrow integers wrap after every operation, int64/uint64 use BigInt with
// BigInt.asIntN/asUintN, integer // and % floor and give 0 on division by zero.
// An op or dtype that cannot be written exactly returns { ok: false, reason } instead of
// a baseline that computes something else.
//
// The generated text contains only this file's templates, numbers and node ids: no name or
// text of the user's expression reaches it, so running it with `new Function` is not an
// eval of user input.

const FLOAT = new Set(['float64', 'float32']);
const NARROW = { int8: 'i8', int16: 'i16', int32: 'i32', uint8: 'u8', uint16: 'u16', uint32: 'u32' };
/**
 * The IR ops whose engine results are within 1 ULP of the correctly rounded value rather
 * than exact, where Math.* may differ too: the function table's `accuracy: 'ulp'` rows
 * (numwasm's functions()), and `pow`, the `**` operator (the table lists functions, not
 * operators), which runs on the same SIMD math. By table, computed once per table.
 */
const approximateByTable = new WeakMap();
function approximateOps(functions) {
  if (!Array.isArray(functions)) throw new TypeError('generateBaseline: pass numwasm.functions() as the function table');
  let ops = approximateByTable.get(functions);
  if (!ops) {
    ops = new Set(['pow', ...functions.filter((f) => f.accuracy === 'ulp').map((f) => f.op)]);
    approximateByTable.set(functions, ops);
  }
  return ops;
}

// The JS implementations, keyed by the IR op names that the function table's `op` and the IR
// JSON share; an op missing here gets no baseline ({ ok: false }), never a wrong one.
const MATH1 = {
  sqrt: 'Math.sqrt', sin: 'Math.sin', cos: 'Math.cos', tan: 'Math.tan', arcsin: 'Math.asin', arccos: 'Math.acos',
  arctan: 'Math.atan', sinh: 'Math.sinh', cosh: 'Math.cosh', tanh: 'Math.tanh', arcsinh: 'Math.asinh',
  arccosh: 'Math.acosh', arctanh: 'Math.atanh', log: 'Math.log', log1p: 'Math.log1p', log10: 'Math.log10',
  log2: 'Math.log2', exp: 'Math.exp', expm1: 'Math.expm1', exp2: 'H.exp2', cbrt: 'Math.cbrt', ceil: 'Math.ceil', floor: 'Math.floor',
  trunc: 'Math.trunc', abs: 'Math.abs', rint: 'H.rint', sign: 'H.sign',
};
const MATH2 = {
  pow: 'Math.pow', arctan2: 'Math.atan2', hypot: 'Math.hypot', maximum: 'H.maximum', minimum: 'H.minimum',
  fmax: 'H.fmax', fmin: 'H.fmin', floordiv: 'H.floordiv', mod: 'H.mod', copysign: 'H.copysign',
};
const INFIX = { add: '+', sub: '-', mul: '*', div: '/', fmod: '%' };
const COMPARE = { lt: '<', le: '<=', eq: '===', ne: '!==', ge: '>=', gt: '>' };

/** Helpers the generated code calls (NumPy's npy_divmod, rint, ...). */
export const HELPERS = {
  exp2(x) {
    return 2 ** x;
  },
  rint(x) {
    // Round half to even, keeping the sign of zero (NumPy's rint).
    const f = Math.floor(x);
    const d = x - f;
    const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
    return r === 0 && x < 0 ? -0 : r;
  },
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  maximum: (a, b) => (a !== a || b !== b ? NaN : a >= b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a <= b ? a : b),
  fmax: (a, b) => (a !== a ? b : b !== b ? a : a >= b ? a : b),
  fmin: (a, b) => (a !== a ? b : b !== b ? a : a <= b ? a : b),
  copysign: (a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a)),
  // NumPy's npy_divmod for floats.
  floordiv(a, b) {
    if (b === 0) return a / b;
    const mod = a % b;
    let div = (a - mod) / b;
    if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
    if (div === 0) return (a / b < 0 ? -0 : 0);
    const f = Math.floor(div);
    return div - f > 0.5 ? f + 1 : f;
  },
  mod(a, b) {
    if (b === 0) return a % b;
    let mod = a % b;
    if (mod !== 0) {
      if (b < 0 !== mod < 0) mod += b;
    } else {
      mod = b < 0 ? -0 : 0;
    }
    return mod;
  },
  ifloordiv: (a, b) => (b === 0 ? 0 : Math.floor(a / b)),
  imod(a, b) {
    if (b === 0) return 0;
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r + 0;
  },
  bfloordiv(a, b) {
    if (b === 0n) return 0n;
    const q = a / b;
    return (a % b !== 0n && a < 0n !== b < 0n) ? q - 1n : q;
  },
  bmod(a, b) {
    if (b === 0n) return 0n;
    const r = a % b;
    return r !== 0n && r < 0n !== b < 0n ? r + b : r;
  },
};

function family(dtype) {
  if (dtype === 'float64') return 'f64';
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int64' || dtype === 'uint64') return 'big';
  if (dtype === 'bool') return 'bool';
  if (NARROW[dtype]) return 'int';
  return null;
}

class Unsupported extends Error {}
const no = (why) => {
  throw new Unsupported(why);
};

/** Wraps a JS number to a narrow integer dtype. */
function wrap(e, dtype) {
  switch (dtype) {
    case 'int8': return `((${e}) << 24 >> 24)`;
    case 'int16': return `((${e}) << 16 >> 16)`;
    case 'int32': return `((${e}) | 0)`;
    case 'uint8': return `((${e}) & 255)`;
    case 'uint16': return `((${e}) & 65535)`;
    case 'uint32': return `((${e}) >>> 0)`;
    default: return no(`no wrap for ${dtype}`);
  }
}

function big(e, dtype) {
  return dtype === 'uint64' ? `BigInt.asUintN(64, ${e})` : `BigInt.asIntN(64, ${e})`;
}

/** A JS literal for a number, exact (String() round-trips doubles). */
function numLit(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${String(x)})` : String(x);
}

function constant(node) {
  const text = String(node.value ?? '').trim();
  const f = family(node.dtype);
  if (f === 'bool') {
    if (/^(True|1)$/.test(text)) return '1';
    if (/^(False|0)$/.test(text)) return '0';
    return no(`bool constant ${JSON.stringify(text)}`);
  }
  if (f === 'big') {
    if (!/^[+-]?\d+$/.test(text)) return no(`int64 constant ${JSON.stringify(text)}`);
    return `(${big(`${BigInt(text)}n`, node.dtype)})`;
  }
  const lower = text.toLowerCase();
  const x = /^[+-]?inf(inity)?$/.test(lower) ? (lower.startsWith('-') ? -Infinity : Infinity)
    : /^[+-]?nan$/.test(lower) ? NaN : Number(text);
  if (Number.isNaN(x) && !/nan/.test(lower)) return no(`constant ${JSON.stringify(text)}`);
  if (f === 'f32') return numLit(Math.fround(x));
  if (f === 'int') {
    if (!Number.isInteger(x)) return no(`integer constant ${JSON.stringify(text)}`);
    return numLit(Number(text.replace(/^\+/, '')) === x ? x : no(`constant ${text}`));
  }
  return numLit(x);
}

/** Converts the value `e` of dtype `from` to dtype `to`, exactly, or refuses. */
function convert(e, from, to) {
  if (from === to) return e;
  const ff = family(from);
  const ft = family(to);
  if (!ff || !ft) return no(`dtype ${ff ? to : from}`);
  switch (ft) {
    case 'f64':
      return ff === 'big' ? `Number(${e})` : e;
    case 'f32':
      return ff === 'big' ? `Math.fround(Number(${e}))` : `Math.fround(${e})`;
    case 'big':
      if (ff === 'big') return big(e, to);
      if (ff === 'int' || ff === 'bool') return `BigInt(${e})`;
      return no(`cast ${from} -> ${to}`);
    case 'int':
      if (ff === 'int' || ff === 'bool') return wrap(e, to);
      if (ff === 'big') return wrap(`Number(BigInt.asIntN(32, ${e}))`, to);
      return no(`cast ${from} -> ${to}`);
    case 'bool':
      return ff === 'big' ? `(${e} !== 0n ? 1 : 0)` : `(${e} !== 0 ? 1 : 0)`;
    default:
      return no(`cast ${from} -> ${to}`);
  }
}

/** The JS expression for one node, given its arguments' variables. */
function expression(node, byId, v, flags) {
  const { op, dtype } = node;
  const args = node.args.map((a) => byId.get(a));
  const f = family(dtype);
  if (!f) return no(`dtype ${dtype}`);
  if (flags.approximate.has(op)) flags.transcendental = true;
  const arg = (k, to = dtype) => convert(v(args[k].id), args[k].dtype, to);
  const round = (e) => (f === 'f32' ? `Math.fround(${e})` : e);

  if (op === 'const') return constant(node);
  if (op === 'cast') return convert(v(args[0].id), args[0].dtype, node.to ?? dtype);
  if (op === 'where') {
    const c = convert(v(args[0].id), args[0].dtype, 'bool');
    return `(${c} ? ${arg(1)} : ${arg(2)})`;
  }
  if (op === 'one' || op === 'zero') {
    const one = op === 'one';
    if (f === 'big') return one ? '1n' : '0n';
    return one ? '1' : '0';
  }
  if (COMPARE[op]) {
    const [a, b] = args;
    // Compare in the wider of the two families (the IR usually casts already).
    const common = a.dtype === b.dtype ? a.dtype
      : FLOAT.has(a.dtype) || FLOAT.has(b.dtype) ? 'float64'
        : family(a.dtype) === 'big' || family(b.dtype) === 'big' ? 'int64' : 'float64';
    if (common === 'int64' && (a.dtype === 'uint64' || b.dtype === 'uint64') && a.dtype !== b.dtype) return no('int64/uint64 comparison');
    return `(${convert(v(a.id), a.dtype, common)} ${COMPARE[op]} ${convert(v(b.id), b.dtype, common)} ? 1 : 0)`;
  }
  if (['isnan', 'isfinite', 'isinf', 'signbit'].includes(op)) {
    const a = args[0];
    if (!FLOAT.has(a.dtype)) {
      if (op === 'signbit') return family(a.dtype) === 'big' ? `(${v(a.id)} < 0n ? 1 : 0)` : `(${v(a.id)} < 0 ? 1 : 0)`;
      return op === 'isfinite' ? '1' : '0';
    }
    const x = v(a.id);
    return {
      isnan: `(${x} !== ${x} ? 1 : 0)`,
      isfinite: `(Number.isFinite(${x}) ? 1 : 0)`,
      isinf: `(${x} === Infinity || ${x} === -Infinity ? 1 : 0)`,
      signbit: `(${x} < 0 || Object.is(${x}, -0) ? 1 : 0)`,
    }[op];
  }
  if (op === 'muladd') {
    if (f === 'f64') return `(${arg(0)} * ${arg(1)} + ${arg(2)})`;
    if (f === 'f32') return `Math.fround(Math.fround(${arg(0)} * ${arg(1)}) + ${arg(2)})`;
    if (f === 'big') return big(`${arg(0)} * ${arg(1)} + ${arg(2)}`, dtype);
    if (f === 'int') return wrap(`${mulInt(arg(0), arg(1), dtype)} + ${arg(2)}`, dtype);
    return no(`muladd on ${dtype}`);
  }

  if (f === 'f64' || f === 'f32') {
    if (args.length === 1) {
      const a = arg(0);
      if (op === 'neg') return `(-${a})`;
      if (op === 'square') return round(`${a} * ${a}`);
      if (op === 'reciprocal') return round(`1 / ${a}`);
      if (MATH1[op]) return round(`${MATH1[op]}(${a})`);
      return no(`${op} on ${dtype}`);
    }
    const [a, b] = [arg(0), arg(1)];
    if (INFIX[op]) return round(`${a} ${INFIX[op]} ${b}`);
    if (MATH2[op]) return round(`${MATH2[op]}(${a}, ${b})`);
    return no(`${op} on ${dtype}`);
  }
  if (f === 'int') {
    if (args.length === 1) {
      const a = arg(0);
      if (op === 'neg') return wrap(`-${a}`, dtype);
      if (op === 'abs') return wrap(`Math.abs(${a})`, dtype);
      if (op === 'square') return wrap(mulInt(a, a, dtype), dtype);
      if (op === 'sign') return `Math.sign(${a})`;
      if (op === 'invert') return wrap(`~${a}`, dtype);
      return no(`${op} on ${dtype}`);
    }
    const [a, b] = [arg(0), arg(1)];
    switch (op) {
      case 'add': return wrap(`${a} + ${b}`, dtype);
      case 'sub': return wrap(`${a} - ${b}`, dtype);
      case 'mul': return wrap(mulInt(a, b, dtype), dtype);
      case 'floordiv': return wrap(`H.ifloordiv(${a}, ${b})`, dtype);
      case 'mod': return wrap(`H.imod(${a}, ${b})`, dtype);
      case 'maximum': case 'fmax': return `Math.max(${a}, ${b})`;
      case 'minimum': case 'fmin': return `Math.min(${a}, ${b})`;
      case 'and': return wrap(`${a} & ${b}`, dtype);
      case 'or': return wrap(`${a} | ${b}`, dtype);
      case 'xor': return wrap(`${a} ^ ${b}`, dtype);
      default: return no(`${op} on ${dtype}`);
    }
  }
  if (f === 'big') {
    if (args.length === 1) {
      const a = arg(0);
      if (op === 'neg') return big(`-${a}`, dtype);
      if (op === 'abs') return big(`(${a} < 0n ? -${a} : ${a})`, dtype);
      if (op === 'square') return big(`${a} * ${a}`, dtype);
      if (op === 'sign') return `(${a} > 0n ? 1n : ${a} < 0n ? -1n : 0n)`;
      if (op === 'invert') return big(`~${a}`, dtype);
      return no(`${op} on ${dtype}`);
    }
    const [a, b] = [arg(0), arg(1)];
    switch (op) {
      case 'add': return big(`${a} + ${b}`, dtype);
      case 'sub': return big(`${a} - ${b}`, dtype);
      case 'mul': return big(`${a} * ${b}`, dtype);
      case 'floordiv': return big(`H.bfloordiv(${a}, ${b})`, dtype);
      case 'mod': return big(`H.bmod(${a}, ${b})`, dtype);
      case 'maximum': case 'fmax': return `(${a} >= ${b} ? ${a} : ${b})`;
      case 'minimum': case 'fmin': return `(${a} <= ${b} ? ${a} : ${b})`;
      case 'and': return big(`${a} & ${b}`, dtype);
      case 'or': return big(`${a} | ${b}`, dtype);
      case 'xor': return big(`${a} ^ ${b}`, dtype);
      default: return no(`${op} on ${dtype}`);
    }
  }
  // bool
  if (args.length === 1) {
    if (op === 'invert') return `(${arg(0)} ^ 1)`;
    return no(`${op} on bool`);
  }
  const [a, b] = [arg(0), arg(1)];
  switch (op) {
    case 'and': case 'mul': case 'minimum': case 'fmin': return `(${a} & ${b})`;
    case 'or': case 'add': case 'maximum': case 'fmax': return `(${a} | ${b})`;
    case 'xor': case 'ne': return `(${a} ^ ${b})`;
    default: return no(`${op} on bool`);
  }
}

function mulInt(a, b, dtype) {
  // 32-bit products do not fit a double exactly; Math.imul gives the low 32 bits.
  return dtype === 'int32' || dtype === 'uint32' ? `Math.imul(${a}, ${b})` : `${a} * ${b}`;
}

const size = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * Generates the baseline for an IR function, given the engine's function table
 * (numwasm's functions()). Returns
 * { ok: true, code, elementwise, outDtype, outLength(n), tolerance: 'exact'|'ulp'|'sum' }
 * or { ok: false, reason }.
 */
export function generateBaseline(ir, functions) {
  const approximate = approximateOps(functions);
  try {
    return generate(ir, approximate);
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, reason: e.message };
    throw e;
  }
}

function generate(ir, approximate) {
  const byId = new Map(ir.nodes.map((n) => [n.id, n]));
  const root = byId.get(ir.root);
  if (!root) return no('empty expression');
  // One iteration space: every non-scalar node has the same shape.
  let space = null;
  for (const n of ir.nodes) {
    if (!family(n.dtype)) return no(`dtype ${n.dtype}`);
    if (n.shape.length === 0) continue;
    if (space && space.join('x') !== n.shape.join('x')) return no('broadcasting between different shapes');
    space ??= n.shape;
  }
  const flags = { approximate, transcendental: false, floatReduce: false };
  const lines = ['"use strict";'];
  for (const [slot, p] of ir.params.entries()) {
    if (!family(p.dtype)) return no(`input dtype ${p.dtype}`);
    if (p.shape.length === 0) {
      const f = family(p.dtype);
      const x = `P[${slot}]`;
      const init = f === 'big' ? `BigInt(${x})` : f === 'f32' ? `Math.fround(Number(${x}))` : f === 'bool' ? `(${x} ? 1 : 0)` : `Number(${x})`;
      lines.push(`const s${slot} = ${init};`);
    } else {
      lines.push(`const p${slot} = P[${slot}];`);
    }
  }
  const v = (id) => `v${id}`;
  const reduces = ir.nodes.filter((n) => n.kind === 'reduce').sort((a, b) => a.id - b.id);

  /** `const vN = ...;` lines for the nodes `id` depends on, down to reductions and inputs. */
  function cone(id, out, seen) {
    if (seen.has(id)) return;
    seen.add(id);
    const n = byId.get(id);
    if (n.kind === 'reduce') {
      out.push(`const v${id} = r${id};`);
      return;
    }
    if (n.op === 'input') {
      const p = ir.params[n.slot];
      if (!p) return no('input without a parameter');
      const load = p.shape.length === 0 ? `s${n.slot}` : `p${n.slot}[i]`;
      out.push(`const v${id} = ${convert(load, p.dtype, n.dtype)};`);
      return;
    }
    for (const a of n.args) cone(a, out, seen);
    out.push(`const v${id} = ${expression(n, byId, v, flags)};`);
  }

  for (const r of reduces) {
    const a = byId.get(r.args[0]);
    if (r.shape.length !== 0 || (r.axis !== undefined && r.axis !== null && a.shape.length > 1)) {
      return no('reduction along an axis of a multi-dimensional array');
    }
    const f = family(r.dtype);
    const body = [];
    cone(a.id, body, new Set());
    const x = convert(v(a.id), a.dtype, ['any', 'all'].includes(r.op) ? a.dtype : r.dtype);
    const acc = `r${r.id}`;
    let init;
    let step;
    let finish = '';
    switch (r.op) {
      case 'sum':
      case 'prod': {
        const mul = r.op === 'prod';
        if (f === 'big') {
          init = mul ? '1n' : '0n';
          step = `${acc} = ${big(`${acc} ${mul ? '*' : '+'} x`, r.dtype)};`;
        } else if (f === 'f64' || f === 'f32') {
          // Accumulated in double in index order; numwasm sums pairwise in fixed chunks,
          // so the two agree within the summation error bound, not bit for bit.
          flags.floatReduce = true;
          init = mul ? '1' : '0';
          step = `${acc} ${mul ? '*' : '+'}= x; A += Math.abs(x);`;
          if (f === 'f32') finish = `${acc} = Math.fround(${acc});`;
        } else if (f === 'int') {
          init = mul ? '1' : '0';
          step = `${acc} = ${wrap(mul ? mulInt(acc, 'x', r.dtype) : `${acc} + x`, r.dtype)};`;
        } else {
          return no(`${r.op} to ${r.dtype}`);
        }
        break;
      }
      case 'min':
      case 'max': {
        const better = r.op === 'min' ? '<' : '>';
        init = 'null';
        step = FLOAT.has(r.dtype)
          ? `if (${acc} === null || x !== x || (${acc} === ${acc} && x ${better} ${acc})) ${acc} = x;`
          : `if (${acc} === null || x ${better} ${acc}) ${acc} = x;`;
        break;
      }
      case 'any':
        init = '0';
        step = `if (x != 0) ${acc} = 1;`;
        break;
      case 'all':
        init = '1';
        step = `if (x == 0) ${acc} = 0;`;
        break;
      default:
        return no(`reduction ${r.op}`);
    }
    const count = a.shape.length === 0 ? '1' : 'n';
    lines.push(`let ${acc} = ${init};`);
    lines.push(`for (let i = 0; i < ${count}; i++) {`, ...body.map((l) => `  ${l}`), `  const x = ${x};`, `  ${step}`, '}');
    if (finish) lines.push(finish);
  }
  const body = [];
  cone(root.id, body, new Set());
  const elementwise = root.shape.length > 0;
  const head = [...lines];
  if (flags.floatReduce) head.splice(1, 0, 'let A = 0;');
  const tail = flags.floatReduce ? 'return A;' : 'return 0;';
  const loop = (withScale) => [
    `for (let i = 0; i < ${elementwise ? 'n' : '1'}; i++) {`,
    ...(withScale ? ['  let S = 0;'] : []),
    ...body.flatMap((l) => {
      const id = Number(/^const v(\d+) =/.exec(l)?.[1]);
      // For the check: the largest finite |intermediate| of this element, the scale of the
      // rounding error that different Math.* and vector-math results can leave.
      return withScale && FLOAT.has(byId.get(id)?.dtype)
        ? [`  ${l}`, `  { const t = Math.abs(v${id}); if (t > S && t !== Infinity) S = t; }`]
        : [`  ${l}`];
    }),
    `  out[i] = v${root.id};`,
    ...(withScale ? ['  if (scale) scale[i] = S;'] : []),
    '}',
  ];
  return {
    ok: true,
    code: [...head, ...loop(false), tail].join('\n'),
    checkCode: [...head, ...loop(elementwise && flags.transcendental), tail].join('\n'),
    elementwise,
    outDtype: root.dtype,
    outLength: (n) => (elementwise ? n : 1),
    tolerance: flags.floatReduce ? 'sum' : flags.transcendental ? 'ulp' : 'exact',
    spaceSize: space ? size(space) : 1,
  };
}

/**
 * Builds the callable fn(P, n, out, scale?) -> sum of |terms| of float reductions. With
 * checkCode, `scale[i]` receives element i's largest finite |intermediate value|.
 */
export function instantiate(code) {
  // eslint-disable-next-line no-new-func
  return new Function('H', 'P', 'n', 'out', 'scale', code).bind(null, HELPERS);
}
