// The npm tarball in Node, as a user installs it: `npm pack` of web/, unpacked into a fresh
// project's node_modules, imported by name ('numwasm' resolves to the Node entry) and run.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'numwasm-node-consumer-'));

after(() => rmSync(dir, { recursive: true, force: true }));

test('a Node project imports the packed tarball by name and evaluates expressions', () => {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: join(repo, 'web') });
  const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  const pkg = join(dir, 'node_modules', 'numwasm');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', pkg, '--strip-components=1']);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(
    join(dir, 'main.js'),
    `import * as nw from 'numwasm';
const status = await nw.init();
const x = new Float64Array([1, 2, 3]);
const r = await nw.evaluate('x + (x**2 + (x*x + 1)*3)', { x });
const s = await nw.evaluate('sum(a)', { a: new Int16Array([30000, 30000]) });
const c = await nw.compile('where(a > 0, a, -a)', { a: 'int32' });
const w = await c.run({ a: new Int32Array([-4, 5]) });
const err = await nw.evaluate('x +', { x }).catch((e) => ({ kind: e.kind, span: e.span }));
console.log(JSON.stringify({ build: status.build, engine: status.engine, r: [...r.data], s: String(s.data[0]), sdtype: s.dtype, w: [...w.data], err }));
`,
  );
  const out = JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' }));
  // The process exits by itself: the idle compute worker does not keep it alive.
  assert.deepEqual(out, {
    build: 'threads',
    engine: 'worker',
    r: [8, 21, 42],
    s: '60000',
    sdtype: 'int64',
    w: [4, 5],
    err: { kind: 'SyntaxError', span: { start: 3, end: 3 } },
  });
});
