// A user's app: it imports the installed package by name and lets the test drive it
// through window.numwasm.
import * as nw from 'numwasm';

window.numwasm = nw;
nw.init({ threads: 2 }).then(
  (s) => {
    document.getElementById('out').textContent = JSON.stringify(s);
    window.numwasmReady = s;
  },
  (e) => {
    document.getElementById('out').textContent = `failed: ${e.message}`;
    window.numwasmReady = { error: e.message };
  },
);
