// One thread of the rayon pool. It instantiates the `threads` module on the compute
// worker's shared memory, says it is ready, and then runs a rayon worker loop forever.

import init, { poolWorkerRun } from '../dist/threads/numwasm.js';

self.addEventListener('message', async ({ data }) => {
  if (data?.type !== 'numwasm-pool-init') return;
  await init({ module_or_path: data.module, memory: data.memory });
  self.postMessage({ type: 'numwasm-pool-ready' });
  poolWorkerRun(data.receiver);
});
