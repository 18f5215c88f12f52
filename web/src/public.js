// The public names of the API, shared by both entry points (index.js, node.js).

export {
  Compiled,
  NumwasmError,
  ResidentArray,
  array,
  build,
  compile,
  evaluate,
  functions,
  getNumThreads,
  init,
  kernelLibrary,
  ncores,
  poolSize,
  residentCount,
  selfTest,
  setNumThreads,
  status,
  threadsAvailable,
  version,
} from './api.js';
export { KernelModule, kernels } from './kernels.js';
