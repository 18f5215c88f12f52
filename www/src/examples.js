// The benchmark workloads (docs/architecture.md) the engine runs today, each with its inputs defined.
// An input spec is { gen, a, b, dtype, shape }: gen is uniform (in [a, b)), arange
// (a + i*b), linspace (a to b) or constant (a); shape is 'array' (N elements), '2-D'
// (1000 rows of N/1000) or 'scalar' (a Python number).

const u = (a, b, dtype = 'float64') => ({ gen: 'uniform', a, b, dtype, shape: 'array' });

export const EXAMPLES = [
  { id: 'poly', source: 'x + (y**2 + (z*x + 1)*3)', inputs: { x: u(0, 1), y: u(0, 1), z: u(0, 1) } },
  { id: 'axpb', source: '(2*a + 3*b)/b', inputs: { a: u(0, 1), b: u(1, 2) } },
  { id: 'expab', source: 'exp(2.1*a + 3.2*b)', inputs: { a: u(0, 1), b: u(0, 1) } },
  { id: 'asinexp', source: 'exp(arcsin(a))', inputs: { a: u(0, 1) } },
  { id: 'rc', source: 'voltage * (1 - exp(1/time_constant))', inputs: { voltage: u(0, 10), time_constant: u(-10, -1) } },
  { id: 'sincos', source: 'sin(a)**2 + cos(b)**2', inputs: { a: u(-3, 3), b: u(-3, 3) } },
  { id: 'sum float64', source: 'sum(a)', inputs: { a: u(0, 1) } },
  { id: 'sum int64', source: 'sum(a)', inputs: { a: { gen: 'arange', a: 0, b: 1, dtype: 'int64', shape: 'array' } } },
  { id: 'poly float32', source: 'x + (y**2 + (z*x + 1)*3)', inputs: { x: u(0, 1, 'float32'), y: u(0, 1, 'float32'), z: u(0, 1, 'float32') } },
  { id: 'where', source: 'where(x > 0.5, sqrt(x), -x)', inputs: { x: u(0, 1) } },
  { id: 'int32 floordiv/mod', source: '(a * 7 + 3) // 4 % 1000', inputs: { a: { gen: 'arange', a: -500, b: 3, dtype: 'int32', shape: 'array' } } },
  { id: 'centered', source: 'x - sum(x) / n', inputs: { x: u(0, 1), n: { gen: 'constant', a: 1000000, b: 0, dtype: 'float64', shape: 'scalar' } } },
];

export function example(id) {
  return EXAMPLES.find((e) => e.id === id);
}
