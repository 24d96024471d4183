// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, and per category
// (WASM code, Emscripten/embind glue, the benchmark's own JavaScript, GC, the rest).
import fs from 'node:fs';

export function summarise(file, { top = 25 } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Sample counts per node; time per sample from the profile's own deltas.
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const totalUs = profile.endTime - profile.startTime;
  const usPerSample = totalUs / profile.samples.length;
  const self = new Map();
  const categories = new Map();
  const categoryOf = new Map();
  for (const [id, count] of counts) {
    const node = byId.get(id);
    const frame = node.callFrame;
    const name = shorten(frame.functionName || '(anonymous)');
    const url = frame.url || '';
    const where = url ? `${url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : '';
    const key = `${name} ${where}`.trim();
    const category = categorise(name, url);
    self.set(key, (self.get(key) ?? 0) + count);
    categoryOf.set(key, category);
    categories.set(category, (categories.get(category) ?? 0) + count);
  }
  const ms = (count) => Math.round(count * usPerSample) / 1000;
  const share = (count) => Math.round((count / profile.samples.length) * 1000) / 10;
  return {
    file,
    totalMs: Math.round(totalUs) / 1000,
    samples: profile.samples.length,
    categories: [...categories].sort((a, b) => b[1] - a[1]).map(([category, count]) => ({ category, ms: ms(count), percent: share(count) })),
    topSelf: [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, count]) => ({ function: fn, category: categoryOf.get(fn), ms: ms(count), percent: share(count) })),
  };
}

function categorise(name, url) {
  if (url.startsWith('wasm://') || /^(\$|wasm-function|js-to-wasm|wasm-to-js)/.test(name)) {
    if (/^(js-to-wasm|wasm-to-js)/.test(name)) return 'JS<->WASM transitions';
    return 'WASM code (the core, libc++, dlmalloc)';
  }
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(idle)' || name === '(program)' || name === '(root)') return `${name} (V8/native, not JS)`;
  if (url.includes('pushsync.mjs')) return 'Emscripten/embind glue (pushsync.mjs)';
  if (url.includes('/js-glue/')) return 'pushsync glue (js-glue/dist)';
  if (url.includes('/bench/')) return 'benchmark JavaScript (incl. JSON.parse, TextEncoder)';
  if (url.startsWith('node:') || url === '') return 'Node internals / builtins';
  return 'other JavaScript';
}

/** C++ names from a --profiling-funcs build carry whole template argument lists: keep the gist. */
export function shorten(name) {
  let out = name;
  for (let i = 0; i < 8 && /<[^<>]*>/.test(out); i++) out = out.replace(/<[^<>]*>/g, '\u2039\u203a');
  return out.replace(/\u2039\u203a/g, '<…>').replace(/nlohmann::json_abi_v[\d_]+::/g, 'nlohmann::').replace(/std::__2::/g, 'std::').slice(0, 140);
}
