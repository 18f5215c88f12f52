// The page's state (mode, sources, inputs, N, threads, repeats) is kept in localStorage and
// in the URL (?s=<base64url JSON>), so a link reproduces what is on screen. localStorage
// keeps everything (inputs of names typed earlier come back when retyped); the URL gets
// the shared part only, which the caller trims to what the state on screen needs. The panel shown
// under the editor is its own URL parameter (?panel=ir|bytecode|js).

const KEY = 'numwasm-playground/v1';

function encode(obj) {
  const bytes = new TextEncoder().encode(JSON.stringify(obj));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decode(text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
}

/** The state from the URL, else localStorage, else `defaults`; fields missing take defaults. */
export function loadState(defaults) {
  const params = new URLSearchParams(location.search);
  let saved = null;
  try {
    if (params.has('s')) saved = decode(params.get('s'));
    else saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    saved = null;
  }
  return { ...defaults, ...(saved && typeof saved === 'object' ? saved : {}) };
}

/** Stores `state` in localStorage and puts `shared` (its trimmed form) in the address bar. */
export function saveState(state, shared) {
  try {
    localStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    // Storage can be full or disabled; the URL still carries the state.
  }
  history.replaceState(null, '', urlFor(shared));
}

export function urlFor(shared) {
  const params = new URLSearchParams(location.search);
  params.set('s', encode(shared));
  return `${location.pathname}?${params}`;
}

export function urlParam(name) {
  return new URLSearchParams(location.search).get(name);
}

export function setUrlParam(name, value) {
  const params = new URLSearchParams(location.search);
  params.set(name, value);
  history.replaceState(null, '', `${location.pathname}?${params}`);
}
