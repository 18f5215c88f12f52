//! vmath: SIMD128 vector math (exp, log, sin, ...) over `std::simd` lanes, float64 and float32.
