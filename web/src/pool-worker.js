// One thread of the rayon pool in a browser (see pool-thread.js).

import * as glue from '../dist/threads/numwasm.js';
import { endpoint } from './endpoint.js';
import { servePoolThread } from './pool-thread.js';

servePoolThread(endpoint(self), glue);
