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

/** Wasm memory holds at most 4 GiB, so no input, result or placeholder may be larger. */
export const WASM_MEMORY_BYTES = 2 ** 32;

/**
 * A value as an error message shows it, whatever it is: bigints (which JSON.stringify
 * refuses), symbols (which templates refuse), objects whose toString throws; arrays one
 * level deep, at most 8 entries.
 */
export function show(value, depth = 0) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) {
    if (depth > 0) return '[...]';
    const items = value.slice(0, 8).map((v) => show(v, depth + 1));
    if (value.length > 8) items.push('...');
    return `[${items.join(',')}]`;
  }
  try {
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

function isTypedArray(x) {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

function isDetached(buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  try {
    // Older engines: a detached ArrayBuffer reports byteLength 0 and cannot be sliced.
    buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

function checkBuffer(name, data) {
  if (typeof SharedArrayBuffer === 'function' && data.buffer instanceof SharedArrayBuffer) {
    throw typeError(
      `input '${name}' is backed by a SharedArrayBuffer, which another thread may change during ` +
        'the call; copy it into an ordinary typed array first (e.g. arr.slice())',
    );
  }
  if (isDetached(data.buffer)) {
    throw typeError(`input '${name}' is a typed array whose buffer was detached (transferred away)`);
  }
}

function checkShape(name, shape) {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw typeError(`input '${name}': shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Refuses `n` elements of `dtype` that wasm memory cannot hold, as a MemoryError naming
 * `what`, before a typed array of that size is attempted (which would throw a bare
 * RangeError, "Invalid typed array length").
 */
export function checkFits(what, n, dtype) {
  const bytes = n * DTYPES[dtype].BYTES_PER_ELEMENT;
  if (bytes > WASM_MEMORY_BYTES) {
    throw new NumwasmError(
      'MemoryError',
      `${what}: ${n} elements of ${dtype} (${bytes} bytes) do not fit in wasm memory (at most 4 GiB in all)`,
    );
  }
}

/** A new typed array of `n` elements like `data`'s; a MemoryError if the engine has no room. */
function allocate(name, data, n) {
  try {
    return new data.constructor(n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new NumwasmError('MemoryError', `input '${name}': cannot allocate ${n} elements to gather its strided view`);
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

function dtypeOf(name, data, dtype) {
  const ctorName = data.constructor?.name;
  const fallback = Object.hasOwn(DEFAULT_DTYPE, ctorName) ? DEFAULT_DTYPE[ctorName] : undefined;
  if (dtype === undefined) {
    if (!fallback) throw typeError(`input '${name}': unsupported typed array ${show(ctorName)}`);
    return fallback;
  }
  if (!isDType(dtype)) {
    const given = typeof dtype === 'string' ? `'${dtype}'` : show(dtype);
    throw typeError(`input '${name}': unknown dtype ${given} (expected one of: ${Object.keys(DTYPES).join(', ')})`);
  }
  const ctor = DTYPES[dtype];
  if (!(data instanceof ctor) && !(dtype === 'uint8' && data instanceof Uint8ClampedArray)) {
    throw typeError(`input '${name}': dtype '${dtype}' needs a ${ctor.name}, got a ${data.constructor.name}`);
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
 * Normalises one input. `value` may be a typed array, a plain array of numbers (float64), an
 * NDArray-like { data, shape, dtype? } (scijs's { data, shape, stride, offset } too), a
 * number, boolean or bigint (weak Python scalars), an explicit scalar { scalar, value }, or a
 * resident array handle.
 */
export function normalizeInput(name, value) {
  const scalar = scalarInput(name, value);
  if (scalar) return scalar;
  if (value === null || value === undefined) {
    throw typeError(`input '${name}' is ${value}`);
  }
  if (value[RESIDENT] !== undefined) {
    if (value[RESIDENT] === null) throw valueError(`input '${name}' is a resident array that was freed`);
    return { resident: value[RESIDENT], dtype: value.dtype, shape: value.shape };
  }
  if (isTypedArray(value)) {
    checkBuffer(name, value);
    return { array: true, dtype: dtypeOf(name, value, undefined), shape: [value.length], data: value };
  }
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === 'number')) {
      throw typeError(`input '${name}': a plain array must hold numbers only (it becomes float64)`);
    }
    return { array: true, dtype: 'float64', shape: [value.length], data: Float64Array.from(value) };
  }
  if (typeof value === 'object' && 'scalar' in value && !('data' in value)) {
    const spec = scalarSpec(`input '${name}'`, value);
    if (spec.value === undefined) throw typeError(`input '${name}': a scalar needs a value`);
    return { array: false, ...spec };
  }
  if (typeof value === 'object' && 'data' in value) {
    let { data, shape, dtype } = value;
    if (Array.isArray(data)) data = Float64Array.from(data);
    if (!isTypedArray(data)) throw typeError(`input '${name}': data must be a typed array or an array of numbers`);
    checkBuffer(name, data);
    shape ??= [data.length];
    const n = checkShape(name, shape);
    dtype = dtypeOf(name, data, dtype);
    if (value.strides !== undefined && value.stride === undefined) {
      // NumPy's `strides` (in bytes) would otherwise be ignored and the view read as C
      // order without a word.
      throw valueError(
        `input '${name}': 'strides' is not read; give the view's 'stride' in elements (scijs's ndarray), ` +
          `not NumPy's strides in bytes`,
      );
    }
    if (value.stride !== undefined || value.offset !== undefined) {
      const stride = value.stride ?? cStrides(shape);
      const offset = value.offset ?? 0;
      checkStrides(name, shape, stride, offset, data.length);
      if (!isCContiguous(shape, stride) || offset !== 0 || data.length !== n) {
        // A view can show more elements than its data holds (zero strides broadcast).
        checkFits(`input '${name}'`, n, dtype);
        data = gather(data, shape, stride, offset, allocate(name, data, n));
      }
    }
    if (data.length !== n) {
      throw valueError(`input '${name}': shape ${JSON.stringify(shape)} needs ${n} elements, but data has ${data.length}`);
    }
    if (dtype === 'bool') data = toBool(data);
    return { array: true, dtype, shape: [...shape], data };
  }
  throw typeError(`input '${name}' has an unsupported type (${Object.prototype.toString.call(value)})`);
}

/**
 * Copies new contents `data` (C order, as normalizeInput sent them) back into the value a
 * caller passed: a typed array, a plain array, or an NDArray-like, strided ones element by
 * element through their strides. Kernels use it to write arrays in place, as Numba does.
 */
export function writeBack(value, data) {
  if (isTypedArray(value)) {
    value.set(data);
    return;
  }
  const target = Array.isArray(value) ? value : value.data;
  if (!Array.isArray(value) && (value.stride !== undefined || value.offset !== undefined)) {
    const shape = value.shape ?? [target.length];
    scatter(target, shape, value.stride ?? cStrides(shape), value.offset ?? 0, data);
  } else if (isTypedArray(target)) {
    target.set(data);
  } else {
    for (let i = 0; i < data.length; i++) target[i] = data[i];
  }
}

/** bool data must hold 0 or 1; any other byte means true, as NumPy's astype(bool). */
function toBool(data) {
  if (data.every((v) => v <= 1)) return data;
  return Uint8Array.from(data, (v) => (v ? 1 : 0));
}

/** Normalises an inputs object { name: value }. */
export function normalizeInputs(inputs) {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw typeError('inputs must be an object mapping names to arrays or scalars');
  }
  return Object.entries(inputs).map(([name, value]) => ({ name, ...normalizeInput(name, value) }));
}
