// Inputs and results. Every value a caller passes is normalised here, on the caller's side,
// into one of two shapes that cross to the engine:
//   { array: true, dtype, shape, data }   data: a typed array of exactly prod(shape) elements
//   { array: false, kind, value }         a weak Python scalar: kind "int" | "float" | "bool"
// Results come back as NDArray-like objects { data, shape, dtype } with NumPy dtype names.

import { NumwasmError } from './errors.js';

/** NumPy dtype name -> the typed array that holds it. */
export const DTYPES = {
  bool: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Typed array constructor name -> its default NumPy dtype. */
const DEFAULT_DTYPE = {
  Int8Array: 'int8',
  Int16Array: 'int16',
  Int32Array: 'int32',
  BigInt64Array: 'int64',
  Uint8Array: 'uint8',
  Uint8ClampedArray: 'uint8',
  Uint16Array: 'uint16',
  Uint32Array: 'uint32',
  BigUint64Array: 'uint64',
  Float32Array: 'float32',
  Float64Array: 'float64',
};

/**
 * Whether `name` is a dtype name. The tables are indexed with caller strings, so only their
 * own keys count: `'toString'` or `'__proto__'` would find Object.prototype's members.
 */
export function isDType(name) {
  return typeof name === 'string' && Object.hasOwn(DTYPES, name);
}

/**
 * The most bytes one array may have in the engine: its size must fit a wasm32 `isize`
 * (NumPy's limit, 2^31 - 1 bytes), so no input or placeholder may be larger.
 */
export const MAX_ARRAY_BYTES = 2 ** 31 - 1;

/**
 * A value as an error message shows it, whatever it is: bigints (which JSON.stringify
 * refuses), symbols (which templates refuse), objects whose toString throws; arrays one
 * level deep, at most 8 entries.
 */
export function show(value, depth = 0) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  try {
    if (Array.isArray(value)) {
      if (depth > 0) return '[...]';
      const n = value.length;
      const items = [];
      for (let i = 0; i < Math.min(n, 8); i++) items.push(show(value[i], depth + 1));
      if (n > 8) items.push('...');
      return `[${items.join(',')}]`;
    }
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The engine handle of a resident array (see ResidentArray in api.js); null once freed. */
export const RESIDENT = Symbol('numwasm.resident');

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function typeError(message) {
  return new NumwasmError('TypeError', message);
}

function valueError(message) {
  return new NumwasmError('ValueError', message);
}

// The intrinsic accessors of typed arrays and buffers. A caller's typed array may carry own
// properties (`length`, `buffer`, `constructor`, Symbol.toStringTag) that lie, or be a
// subclass whose getters do; these read the engine's internal slots whatever it says.
const TA_PROTO = Object.getPrototypeOf(Int8Array.prototype);
const taGetter = (key) => Object.getOwnPropertyDescriptor(TA_PROTO, key).get;
const TA_TAG = taGetter(Symbol.toStringTag);
const TA_LENGTH = taGetter('length');
const TA_BUFFER = taGetter('buffer');
const TA_OFFSET = taGetter('byteOffset');
const TA_AT = TA_PROTO.at;
const AB_RESIZABLE = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;
const AB_SLICE = ArrayBuffer.prototype.slice;
const SAB_LENGTH =
  typeof SharedArrayBuffer === 'function' ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength').get : null;

/** Typed array name (its internal [[TypedArrayName]]) -> constructor. */
const TYPED = {
  Int8Array,
  Int16Array,
  Int32Array,
  BigInt64Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
  BigUint64Array,
  Float32Array,
  Float64Array,
};

/** The internal name of typed array `x` ('Float64Array', ...), or undefined for anything else. */
function typedName(x) {
  return TA_TAG.call(x);
}

function isTypedArray(x) {
  return typedName(x) !== undefined;
}

function isShared(buffer) {
  if (!SAB_LENGTH) return false;
  try {
    SAB_LENGTH.call(buffer);
    return true;
  } catch {
    return false;
  }
}

function isDetached(buffer) {
  try {
    // A detached ArrayBuffer cannot be sliced (read through the intrinsic, not the caller's).
    AB_SLICE.call(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Reads typed array `ta` once, through the intrinsic accessors, and returns what crosses to
 * the engine: a fresh view of the same bytes (no copy; none of the caller's own properties)
 * for an ordinary buffer, a copy for a resizable one (which may shrink before the call
 * runs). Shared, detached and out-of-bounds arrays (a resizable buffer shrunk under a
 * fixed-length view) are TypeErrors.
 */
function snapshotTyped(name, ta) {
  const tag = typedName(ta);
  if (!Object.hasOwn(TYPED, tag)) throw typeError(`input '${name}': unsupported typed array ${tag}`);
  const buffer = TA_BUFFER.call(ta);
  if (isShared(buffer)) {
    throw typeError(
      `input '${name}' is backed by a SharedArrayBuffer, which another thread may change (or grow) during ` +
        'the call; copy it into an ordinary typed array first (e.g. arr.slice())',
    );
  }
  if (isDetached(buffer)) {
    throw typeError(`input '${name}' is a typed array whose buffer was detached (transferred away)`);
  }
  try {
    // Validates the view: throws for a view past the end of a shrunk resizable buffer.
    TA_AT.call(ta, 0);
  } catch {
    throw typeError(
      `input '${name}' is a typed array that no longer fits in its buffer (the resizable ArrayBuffer under it ` +
        'was shrunk past the end of the view)',
    );
  }
  const Ctor = TYPED[tag];
  const length = TA_LENGTH.call(ta);
  const view = new Ctor(buffer, TA_OFFSET.call(ta), length);
  if (AB_RESIZABLE?.call(buffer) !== true) return view;
  const copy = allocate(name, Ctor, length);
  copy.set(view);
  return copy;
}

/**
 * Reads a list of numbers (a shape or stride) once: its length, then each entry once, into
 * a plain array. A Proxy or getters cannot make a later read differ from what was checked.
 */
function readList(name, what, list, kind = typeError) {
  if (!Array.isArray(list)) {
    throw kind(`input '${name}': ${what} must be an array of integers, got ${show(list)}`);
  }
  const n = list.length;
  if (!Number.isSafeInteger(n) || n > MAX_DIMS) {
    throw valueError(`input '${name}': ${what} has ${show(n)} entries; an array has at most ${MAX_DIMS} dimensions`);
  }
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = list[i];
  return out;
}

/** NumPy's limit on the number of dimensions. */
const MAX_DIMS = 64;

/**
 * A plain array of numbers as float64, read once: its length is checked against memory
 * before any element is read, and each element is read once.
 */
function readNumbers(name, list) {
  const n = list.length;
  if (!Number.isSafeInteger(n) || n < 0) throw typeError(`input '${name}': a plain array with length ${show(n)}`);
  checkFits(`input '${name}'`, n, 'float64');
  const out = allocate(name, Float64Array, n);
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw typeError(`input '${name}': a plain array must hold numbers only (it becomes float64)`);
    out[i] = v;
  }
  return out;
}

/** A caller's error (a getter or Proxy trap that threw) as the NumwasmError of input `name`. */
function foreignError(name, e, whole = false) {
  if (e instanceof NumwasmError) return e;
  const what = e instanceof Error ? `${e.name}: ${e.message}` : show(e);
  const subject = whole ? 'the inputs object' : `input '${name}'`;
  return new NumwasmError('TypeError', `${subject} could not be read: ${what}`, null, undefined, [], { cause: e });
}

/** Reads and checks a shape; returns [shape (a plain array), its element count]. */
function readShape(name, given) {
  const shape = readList(name, 'shape', given);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw typeError(`input '${name}': shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  return [shape, shape.reduce((a, b) => a * b, 1)];
}

/**
 * Refuses `n` elements of `dtype` that wasm memory cannot hold, as a MemoryError naming
 * `what`, before a typed array of that size is attempted (which would throw a bare
 * RangeError, "Invalid typed array length").
 */
export function checkFits(what, n, dtype) {
  const bytes = n * DTYPES[dtype].BYTES_PER_ELEMENT;
  if (!(bytes <= MAX_ARRAY_BYTES)) {
    throw new NumwasmError(
      'MemoryError',
      `${what}: ${n} elements of ${dtype} (${bytes} bytes) do not fit in wasm memory (an array there has at most ` +
        `${MAX_ARRAY_BYTES} bytes)`,
    );
  }
}

/** A new typed array of `n` elements of `Ctor`; a MemoryError if there is no room. */
function allocate(name, Ctor, n) {
  try {
    return new Ctor(n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new NumwasmError('MemoryError', `input '${name}': cannot allocate ${n} elements of ${Ctor.name}`);
  }
}

/**
 * Checks a strided view's stride and offset: integers, one stride per dimension, and every
 * element the view reads inside `data` (a view reading past the end would gather NaNs or
 * undefineds). A ValueError otherwise.
 */
function checkStrides(name, shape, stride, offset, length) {
  if (!Array.isArray(stride) || stride.length !== shape.length || !stride.every((s) => Number.isSafeInteger(s))) {
    throw valueError(
      `input '${name}': stride must be an array of integers, one per dimension (${shape.length}), got ${show(stride)}`,
    );
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw valueError(`input '${name}': offset must be a non-negative integer, got ${show(offset)}`);
  }
  if (shape.includes(0)) return;
  let first = offset;
  let last = offset;
  for (let d = 0; d < shape.length; d++) {
    const reach = (shape[d] - 1) * stride[d];
    if (reach < 0) first += reach;
    else last += reach;
  }
  if (first < 0 || last >= length) {
    throw valueError(
      `input '${name}': shape ${show(shape)} with stride ${show(stride)} and offset ${offset} reads elements ` +
        `${first} to ${last}, but data has ${length}`,
    );
  }
}

/** The dtype of typed array `data` (its internal type, whatever its properties say), checked against `dtype`. */
function dtypeOf(name, data, dtype) {
  const tag = typedName(data);
  if (dtype === undefined) return DEFAULT_DTYPE[tag];
  if (!isDType(dtype)) {
    const given = typeof dtype === 'string' ? `'${dtype}'` : show(dtype);
    throw typeError(`input '${name}': unknown dtype ${given} (expected one of: ${Object.keys(DTYPES).join(', ')})`);
  }
  const want = DTYPES[dtype].name;
  if (tag !== want && !(dtype === 'uint8' && tag === 'Uint8ClampedArray')) {
    throw typeError(`input '${name}': dtype '${dtype}' needs a ${want}, got a ${tag}`);
  }
  return dtype;
}

/** Copies a strided view (scijs ndarray: data, shape, stride, offset) into C order, into `out`. */
function gather(data, shape, stride, offset, out) {
  const n = out.length;
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += idx[d] * stride[d];
    out[i] = data[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Writes C-order `values` into a strided view: the inverse of gather. */
function scatter(data, shape, stride, offset, values) {
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += idx[d] * stride[d];
    data[at] = values[i];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** The strides of a C-order array of `shape`, in elements. */
function cStrides(shape) {
  return shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
}

function isCContiguous(shape, stride) {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) return false;
    expect *= shape[d];
  }
  return true;
}

function scalarInput(name, value) {
  if (typeof value === 'boolean') return { array: false, kind: 'bool', value };
  if (typeof value === 'number') {
    return { array: false, kind: Number.isInteger(value) ? 'int' : 'float', value };
  }
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > UINT64_MAX) {
      throw new NumwasmError('OverflowError', `input '${name}': integer ${value} does not fit in 64 bits`);
    }
    return { array: false, kind: 'int', value };
  }
  return null;
}

/**
 * An explicit weak scalar { scalar: "int" | "float" | "bool", value }: how to pass a float
 * whose value is whole (a plain number 1e6 would be a Python int). The value may be left out
 * where only the kind matters (compile signatures).
 */
export function scalarSpec(where, spec) {
  const kind = spec.scalar;
  if (!['int', 'float', 'bool'].includes(kind)) {
    throw typeError(`${where}: scalar must be "int", "float" or "bool", got ${show(kind)}`);
  }
  let { value } = spec;
  if (value === undefined) return { kind, value };
  const ok =
    kind === 'bool' ? typeof value === 'boolean' : kind === 'float' ? typeof value === 'number' : typeof value === 'bigint' || Number.isInteger(value);
  if (!ok) throw typeError(`${where}: ${show(value)} is not a Python ${kind}`);
  if (kind === 'int' && typeof value === 'bigint') value = scalarInput(where, value).value;
  return { kind, value };
}

/**
 * What normalizeInput read of each array value, for writeBack: the target it writes into
 * and the view (shape, stride, offset) as read, so that a kernel's write-back goes where
 * the data came from even if the value's getters say otherwise the second time.
 */
const views = new WeakMap();

/**
 * Normalises one input. `value` may be a typed array, a plain array of numbers (float64), an
 * NDArray-like { data, shape, dtype? } (scijs's { data, shape, stride, offset } too), a
 * number, boolean or bigint (weak Python scalars), an explicit scalar { scalar, value }, or a
 * resident array handle.
 *
 * Each property of `value` is read once, and everything read is checked before anything is
 * copied: lengths, shapes, strides and offsets are snapshotted into plain values, typed
 * arrays are read through the intrinsic accessors, and a getter or Proxy trap that throws
 * is a TypeError of this input. The result holds no object of the caller's but the bytes.
 */
export function normalizeInput(name, value) {
  try {
    return readInput(name, value);
  } catch (e) {
    throw foreignError(name, e);
  }
}

function readInput(name, value) {
  const scalar = scalarInput(name, value);
  if (scalar) return scalar;
  if (value === null || value === undefined) {
    throw typeError(`input '${name}' is ${value}`);
  }
  if (typeof value !== 'object') {
    throw typeError(`input '${name}' has an unsupported type (${typeof value})`);
  }
  if (isTypedArray(value)) {
    const data = snapshotTyped(name, value);
    const dtype = dtypeOf(name, data, undefined);
    views.set(value, { target: value, shape: null });
    return { array: true, dtype, shape: [TA_LENGTH.call(data)], data };
  }
  const resident = value[RESIDENT];
  if (resident !== undefined) {
    if (resident === null) throw valueError(`input '${name}' is a resident array that was freed`);
    if (!Number.isSafeInteger(resident) || resident < 1) throw typeError(`input '${name}' is not a resident array of this engine`);
    const dtype = value.dtype;
    if (!isDType(dtype)) throw typeError(`input '${name}': a resident array's dtype must be a dtype name, got ${show(dtype)}`);
    const [shape] = readShape(name, value.shape);
    return { resident, dtype, shape };
  }
  if (Array.isArray(value)) {
    const data = readNumbers(name, value);
    views.set(value, { target: value, shape: null });
    return { array: true, dtype: 'float64', shape: [data.length], data };
  }
  const hasData = 'data' in value;
  if (!hasData && 'scalar' in value) {
    const spec = scalarSpec(`input '${name}'`, { scalar: value.scalar, value: value.value });
    if (spec.value === undefined) throw typeError(`input '${name}': a scalar needs a value`);
    return { array: false, ...spec };
  }
  if (hasData) return readNDArray(name, value);
  throw typeError(`input '${name}' has an unsupported type (${Object.prototype.toString.call(value)})`);
}

/** An NDArray-like { data, shape?, dtype?, stride?, offset? }, each property read once. */
function readNDArray(name, value) {
  const given = value.data;
  const givenShape = value.shape;
  let dtype = value.dtype;
  const givenStride = value.stride;
  const givenOffset = value.offset;
  const strides = value.strides;
  let data;
  if (isTypedArray(given)) data = snapshotTyped(name, given);
  else if (Array.isArray(given)) data = readNumbers(name, given);
  else throw typeError(`input '${name}': data must be a typed array or an array of numbers`);
  const length = TA_LENGTH.call(data);
  const [shape, n] = givenShape === undefined || givenShape === null ? [[length], length] : readShape(name, givenShape);
  dtype = dtypeOf(name, data, dtype);
  if (strides !== undefined && givenStride === undefined) {
    // NumPy's `strides` (in bytes) would otherwise be ignored and the view read as C
    // order without a word.
    throw valueError(
      `input '${name}': 'strides' is not read; give the view's 'stride' in elements (scijs's ndarray), ` +
        `not NumPy's strides in bytes`,
    );
  }
  let stride = null;
  let offset = 0;
  if (givenStride !== undefined || givenOffset !== undefined) {
    stride = givenStride === undefined ? cStrides(shape) : readList(name, 'stride', givenStride, valueError);
    offset = givenOffset ?? 0;
    checkStrides(name, shape, stride, offset, length);
    if (!isCContiguous(shape, stride) || offset !== 0 || length !== n) {
      // A view can show more elements than its data holds (zero strides broadcast).
      checkFits(`input '${name}'`, n, dtype);
      data = gather(data, shape, stride, offset, allocate(name, TYPED[typedName(data)], n));
    }
  }
  if (TA_LENGTH.call(data) !== n) {
    throw valueError(`input '${name}': shape ${show(shape)} needs ${n} elements, but data has ${length}`);
  }
  views.set(value, { target: given, shape, stride, offset });
  if (dtype === 'bool') data = toBool(data);
  return { array: true, dtype, shape, data };
}

/**
 * Copies new contents `data` (C order, as normalizeInput sent them) back into the value a
 * caller passed: a typed array, a plain array, or an NDArray-like, strided ones element by
 * element through their strides, as normalizeInput read them. Kernels use it to write arrays
 * in place, as Numba does. A value normalizeInput did not read is left alone; a target that
 * can no longer take the data (a buffer detached or shrunk during the call) is a ValueError.
 */
export function writeBack(value, data) {
  const view = value !== null && typeof value === 'object' ? views.get(value) : undefined;
  if (!view) return;
  const { target, shape, stride, offset } = view;
  try {
    let into = target;
    if (isTypedArray(target)) {
      // Through the intrinsics: checks that the view still fits its buffer, and writes into
      // a fresh view of it, whatever the caller's array's own properties say.
      TA_AT.call(target, 0);
      into = new TYPED[typedName(target)](TA_BUFFER.call(target), TA_OFFSET.call(target), TA_LENGTH.call(target));
    }
    if (stride) {
      checkStrides('written', shape, stride, offset, into.length);
      scatter(into, shape, stride, offset, data);
    } else if (isTypedArray(into)) {
      if (into.length !== data.length) throw new Error(`it has ${into.length} elements now, the result ${data.length}`);
      into.set(data);
    } else {
      for (let i = 0; i < data.length; i++) into[i] = data[i];
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : show(e);
    throw new NumwasmError('ValueError', `an array the kernel wrote could not be written back into the caller's array: ${why}`, null, undefined, [], { cause: e });
  }
}

/**
 * A view of the caller's own memory behind `value` (as normalizeInput read it) when that
 * holds `n` elements of a `dtype` array in C order, unstrided: a kernel that returns an
 * argument whole (a ufunc's `out=`) gives back the caller's array, as NumPy does. A fresh
 * view through the intrinsics (the caller's object may lie about its length), over the same
 * buffer, offset and length. Null otherwise (then the caller gets a copy).
 */
export function ownData(value, dtype, n) {
  const view = value !== null && typeof value === 'object' ? views.get(value) : undefined;
  if (!view || view.stride || !isTypedArray(view.target) || !isDType(dtype)) return null;
  const { target } = view;
  const name = typedName(target);
  if (name !== DTYPES[dtype].name) return null;
  try {
    TA_AT.call(target, 0);
    if (TA_LENGTH.call(target) !== n) return null;
    return new TYPED[name](TA_BUFFER.call(target), TA_OFFSET.call(target), n);
  } catch {
    return null;
  }
}

/** bool data must hold 0 or 1; any other byte means true, as NumPy's astype(bool). */
function toBool(data) {
  if (data.every((v) => v <= 1)) return data;
  return Uint8Array.from(data, (v) => (v ? 1 : 0));
}

/** Normalises an inputs object { name: value }; its entries are read once. */
export function normalizeInputs(inputs) {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw typeError('inputs must be an object mapping names to arrays or scalars');
  }
  let entries;
  try {
    entries = Object.entries(inputs);
  } catch (e) {
    throw foreignError('inputs', e, true);
  }
  return entries.map(([name, value]) => ({ name, ...normalizeInput(name, value) }));
}
