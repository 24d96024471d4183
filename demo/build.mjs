// Builds the demo page into demo/dist/ (git-ignored), the folder the app server serves at /demo/:
// the page and worker bundles (esbuild, with js-glue and the Emscripten glue inside the worker),
// the static files, and pushsync.wasm next to the worker bundle, where the worker's locateFile
// finds it. toolchain/build-demo runs this after building the module and js-glue.
import { build } from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const glue = join(here, '..', 'js-glue', 'dist');

for (const need of ['index.js', 'wasm/pushsync.mjs', 'wasm/pushsync.wasm']) {
  if (!existsSync(join(glue, need))) {
    console.error(`demo build: js-glue/dist/${need} is missing; run toolchain/build-demo (it builds the module and js-glue)`);
    process.exit(1);
  }
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(here, 'src', 'page.js'), join(here, 'src', 'worker.js')],
  outdir: dist,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome116', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  // js-glue's Node-only paths (file storage, reading the .wasm from disk) import node: modules
  // lazily; a browser never takes them.
  external: ['node:*'],
  logLevel: 'warning',
});

cpSync(join(here, 'static'), dist, { recursive: true });
copyFileSync(join(glue, 'wasm', 'pushsync.wasm'), join(dist, 'pushsync.wasm'));

for (const name of readdirSync(dist).sort()) {
  console.log(`demo/dist/${name.padEnd(18)} ${String(statSync(join(dist, name)).size).padStart(8)} bytes`);
}
