//! types: dtypes, NumPy 2 promotion rules (NEP 50 weak scalars), type and shape inference.
