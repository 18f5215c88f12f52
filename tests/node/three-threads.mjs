// Imported before web/src/node.js by the tests of parallel kernels: they run on 1, 2 and 3
// pool threads, so the pool needs 3 even on a 2-core machine. NUMWASM_NUM_THREADS (like
// Numba's NUMBA_NUM_THREADS) lets init() start more threads than there are cores; a value
// set from outside wins.
process.env.NUMWASM_NUM_THREADS ??= '3';
