// Runs the node:test files in test/ one file at a time (they start servers and processes, and
// the machine may have two cores). The glue tests need a global WebSocket: Node 20 has it only
// behind --experimental-websocket, so the flag is added when this Node lacks one.
// Usage: node scripts/test.mjs [test files...]   (default: every test/*.test.mjs)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test');
const files = process.argv.slice(2);
if (files.length === 0) {
  files.push(...readdirSync(testDir).filter((name) => name.endsWith('.test.mjs')).sort().map((name) => join(testDir, name)));
}
const flags = typeof globalThis.WebSocket === 'undefined' ? ['--experimental-websocket'] : [];
const { status, signal } = spawnSync(process.execPath, [...flags, '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(status ?? (signal ? 1 : 0));
