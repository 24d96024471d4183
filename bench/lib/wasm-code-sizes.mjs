// Where a WebAssembly module's bytes go: the size of every function body in the code section, by
// the name the name section gives it (a build linked with --profiling-funcs: build-wasm-prof), and
// the data segments. Read straight from the binary format (sections, LEB128), no tools needed.

function reader(bytes) {
  let at = 0;
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  };
  const name = () => {
    const length = u32();
    const text = new TextDecoder().decode(bytes.subarray(at, at + length));
    at += length;
    return text;
  };
  return {
    u32,
    name,
    byte: () => bytes[at++],
    skip: (n) => {
      at += n;
    },
    get at() {
      return at;
    },
    set at(value) {
      at = value;
    },
  };
}

/**
 * `{functions: [{index, name, bytes}], dataBytes, sections: {id: bytes}}` of the module in `bytes`
 * (a Uint8Array). A function without a name is `f<index>`.
 */
export function wasmCodeSizes(bytes) {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a WebAssembly module');
  const r = reader(bytes);
  r.at = 8;
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let dataBytes = 0;
  const sections = {};
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    sections[id] = (sections[id] ?? 0) + size;
    if (id === 2) {
      // imports: functions among them take the first indices
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) {
          r.u32();
          imported++;
        } else if (kind === 1) {
          r.byte();
          if (r.byte() & 1) r.u32();
          r.u32();
        } else if (kind === 2) {
          if (r.byte() & 1) r.u32();
          r.u32();
          r.u32();
        } else if (kind === 3) {
          r.byte();
          r.byte();
        }
      }
    } else if (id === 10) {
      for (let n = r.u32(), i = 0; i < n; i++) {
        const length = r.u32();
        bodies.push(length);
        r.skip(length);
      }
    } else if (id === 11) {
      dataBytes = size;
    } else if (id === 0) {
      const custom = r.name();
      if (custom === 'name') {
        while (r.at < end) {
          const sub = r.byte();
          const subSize = r.u32();
          const subEnd = r.at + subSize;
          if (sub === 1) {
            for (let n = r.u32(); n > 0; n--) {
              const index = r.u32();
              names.set(index, r.name());
            }
          }
          r.at = subEnd;
        }
      }
    }
    r.at = end;
  }
  const functions = bodies.map((length, i) => ({ index: imported + i, name: names.get(imported + i) ?? `f${imported + i}`, bytes: length }));
  return { functions, dataBytes, sections };
}

/** Which part of the build a function's name says it belongs to (its first match, in this order). */
export const CODE_PARTS = [
  ['nlohmann JSON', (name) => name.includes('nlohmann')],
  ['embind and the bindings', (name) => /emscripten::|pushsync::wasm::|embind|__getTypeName/.test(name)],
  ['the core: JSON scanner and writers', (name) => /pushsync::scan::|json_string|append_json|json_text|pushsync::.*json/i.test(name)],
  ['the core: the rest', (name) => name.includes('pushsync')],
  ['libc++ (std::)', (name) => /std::|__cxxabiv1|__cxa_|operator new|operator delete/.test(name)],
  ['printf, strtod and the soft floats', (name) => /printf|strto|scanf|fmt_|__floatscan|__intscan|__shgetc|pop_arg|__extend|__trunc|__fix|__float|__mul|__div|__add|__sub|frexp|copysign|scalbn|fmodl?$/.test(name)],
  ['dlmalloc', (name) => /malloc|free|calloc|realloc|sbrk|memalign/.test(name)],
  ['libc: the rest', () => true],
];

/** The functions summed by CODE_PARTS: [{part, functions, bytes}], largest first, and the top functions of each. */
export function codeParts(functions, top = 3) {
  const parts = new Map(CODE_PARTS.map(([part]) => [part, { part, functions: 0, bytes: 0, largest: [] }]));
  for (const f of functions) {
    const [part] = CODE_PARTS.find(([, test]) => test(f.name));
    const entry = parts.get(part);
    entry.functions++;
    entry.bytes += f.bytes;
    entry.largest.push(f);
  }
  return [...parts.values()]
    .map((p) => ({ ...p, largest: p.largest.sort((a, b) => b.bytes - a.bytes).slice(0, top).map((f) => ({ name: f.name, bytes: f.bytes })) }))
    .sort((a, b) => b.bytes - a.bytes);
}
