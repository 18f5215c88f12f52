// The case lists of tests/kernels (known_failures.txt, js_differs.txt) for the Node tests:
// kept apart from kernel-cases.mjs, which a browser page loads too.

import { readFileSync } from 'node:fs';

import { ROOT } from './kernel-cases.mjs';

/** The names listed in a case list file of tests/kernels (name, a space, the reason). */
export function listedCases(file = 'known_failures.txt') {
  const text = readFileSync(new URL(file, ROOT), 'utf8');
  return new Set(
    text
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split(' ')[0]),
  );
}

