// Builds dist/ from src/: esbuild turns each TypeScript file into one ES module (no bundling, so
// dist mirrors src and browsers load exactly the files they need), tsc writes the .d.ts files,
// and the module's type declaration goes next to the WebAssembly glue that toolchain/build-wasm
// copied into dist/wasm/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

if (!existsSync(join(dist, 'wasm', 'pushsync.mjs')) || !existsSync(join(dist, 'wasm', 'pushsync.wasm'))) {
  console.error('js-glue build: dist/wasm/pushsync.{mjs,wasm} are missing; run toolchain/build-wasm first');
  process.exit(1);
}

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

await build({
  entryPoints: sources(src),
  outdir: dist,
  outbase: src,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
});

copyFileSync(join(src, 'wasm', 'pushsync.d.mts'), join(dist, 'wasm', 'pushsync.d.mts'));
// Found the way Node finds packages (hoisted to the workspace root, or local).
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', root, '--emitDeclarationOnly'], { stdio: 'inherit' });
