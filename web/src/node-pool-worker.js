// One thread of the rayon pool in Node (see pool-thread.js).

import { parentPort } from 'node:worker_threads';

import * as glue from '../dist/threads/numwasm.js';
import { endpoint } from './endpoint.js';
import { servePoolThread } from './pool-thread.js';

servePoolThread(endpoint(parentPort), glue);
