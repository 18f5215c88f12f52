// A user's app: it imports the installed package by name and lets the test drive it
// through window.numwasm.
// Named imports on purpose: a bundler must keep the entry's own setup (package.json
// "sideEffects"), which a namespace import kept alive by accident.
import { evaluate, init, selfTest } from 'numwasm';

window.numwasm = { evaluate, selfTest };
init({ threads: 2 }).then(
  (s) => {
    document.getElementById('out').textContent = JSON.stringify(s);
    window.numwasmReady = s;
  },
  (e) => {
    document.getElementById('out').textContent = `failed: ${e.message}`;
    window.numwasmReady = { error: e.message };
  },
);
