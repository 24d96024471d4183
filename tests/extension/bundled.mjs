// Imports TypeScript files of the extension in a Node test: `exports` is an ES module's source
// (e.g. "export { Outbox } from './worker/outbox.ts';"), resolved from extension/src and bundled in
// memory by esbuild (a devDependency). No browser, no build output.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SOURCES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension', 'src');

export async function importBundled(exports) {
  const bundle = await build({
    stdin: { contents: exports, resolveDir: SOURCES, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
  });
  return import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
}
