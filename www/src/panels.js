// The compiler panels under the editor, chosen by ?panel=: the IR as lowered (before
// optimization), the optimized IR with the bytecode (disassemble()), and the generated JS
// baseline loop.

export const PANELS = ['ir', 'bytecode', 'js'];

export async function showPanel(root, which, compiled) {
  root.dataset.panel = which;
  let text;
  if (which === 'ir') text = await compiled.c.loweredIr();
  else if (which === 'js') {
    text = compiled.gen.ok
      ? `// generated from the IR; run as fn(H, P, n, out) in a worker\n${compiled.gen.code}`
      : `// no JS baseline for this expression: ${compiled.gen.reason}`;
  } else text = await compiled.c.disassemble();
  root.textContent = text;
}
