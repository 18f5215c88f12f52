// The compiler panels under the editor, chosen by ?panel=: the IR as lowered (before
// optimization), the optimized IR with the bytecode (disassemble()), and the generated JS
// baseline loop. The engine worker sends the texts with each compile (engine.js).

export const PANELS = ['ir', 'bytecode', 'js'];

export function showPanel(root, which, compiled) {
  root.dataset.panel = which;
  let text;
  if (which === 'ir') text = compiled.lowered;
  else if (which === 'js') {
    text = compiled.gen.ok
      ? `// generated from the IR; run as fn(H, P, n, out) in a worker\n${compiled.gen.code}`
      : `// no JS baseline for this expression: ${compiled.gen.reason}`;
  } else text = compiled.bytecode;
  root.textContent = text;
}
