// Instruction counting for a WebAssembly module, for the Function bench: the module is rewritten so that every
// straight-line run of instructions adds its length to an exported i64 global (`__rp_instructions`) when it starts.
// Runs end after block/loop/if/else/end/br_if (where control can enter or leave) and after unconditional
// branches. Operators are counted as wasmtime's default fuel counts them (Shopify's function-runner limit is
// wasmtime fuel): 1 each, except nop, drop, block, loop, else, end, unreachable and return, which cost 0.
// Supports the MVP plus sign-extension, saturating truncation, bulk memory and reference types (what an
// emscripten build of QuickJS uses); any other prefix (SIMD, atomics, exceptions) stops with an error.

export const COUNTER_EXPORT = "__rp_instructions";

class Reader {
  constructor(
    readonly b: Uint8Array,
    public p = 0,
  ) {}
  byte(): number {
    if (this.p >= this.b.length) throw new Error("wasm: unexpected end");
    return this.b[this.p++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }
  /** Skips a signed or unsigned LEB128 of any width. */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }
  bytes(n: number): Uint8Array {
    const out = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return out;
  }
}

const u32leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

const s64leb = (v: bigint): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
};

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);
const FREE = new Set([0x01, 0x1a, 0x02, 0x03, 0x05, 0x0b, 0x00, 0x0f]);

function skipBlockType(r: Reader) {
  const first = r.b[r.p]!;
  if (first === 0x40 || VALTYPES.has(first)) r.p++;
  else r.skipLeb();
}

function skipMemarg(r: Reader) {
  const align = r.u32();
  if (align & 0x40) r.skipLeb();
  r.skipLeb();
}

/** Skips one instruction's immediates after its opcode; returns whether the run of straight-line code ends after it. */
function skipImmediates(op: number, r: Reader): boolean {
  switch (op) {
    case 0x02: case 0x03: case 0x04: skipBlockType(r); return true;
    case 0x05: case 0x0b: return true;
    case 0x00: case 0x0f: return true;
    case 0x0c: case 0x0d: r.skipLeb(); return true;
    case 0x0e: { const n = r.u32(); for (let i = 0; i <= n; i++) r.skipLeb(); return true; }
    case 0x10: case 0xd2: r.skipLeb(); return false;
    case 0x11: r.skipLeb(); r.skipLeb(); return false;
    case 0x1c: { const n = r.u32(); r.bytes(n); return false; }
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: r.skipLeb(); return false;
    case 0x3f: case 0x40: r.skipLeb(); return false;
    case 0x41: case 0x42: r.skipLeb(); return false;
    case 0x43: r.bytes(4); return false;
    case 0x44: r.bytes(8); return false;
    case 0xd0: r.byte(); return false;
    case 0xfc: {
      const sub = r.u32();
      if (sub <= 7) return false;
      if (sub === 8 || sub === 12 || sub === 14) { r.skipLeb(); r.skipLeb(); return false; }
      if (sub === 10) { r.skipLeb(); r.skipLeb(); return false; }
      if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) { r.skipLeb(); return false; }
      throw new Error(`wasm: unsupported 0xfc ${sub}`);
    }
    default:
      if (op >= 0x28 && op <= 0x3e) { skipMemarg(r); return false; }
      if ((op >= 0x45 && op <= 0xc4) || op === 0x01 || op === 0x1a || op === 0x1b || op === 0xd1) return false;
      throw new Error(`wasm: unsupported opcode 0x${op.toString(16)}`);
  }
}

/** The function body with a counter increment at the start of each straight-line run. */
function instrumentBody(body: Uint8Array, counter: number): number[] {
  const r = new Reader(body);
  const locals = r.u32();
  for (let i = 0; i < locals; i++) {
    r.skipLeb();
    r.byte();
  }
  const out: number[] = [];
  append(out, body.subarray(0, r.p));
  let runStart = r.p;
  let cost = 0;
  const flush = (end: number) => {
    if (cost > 0) out.push(0x23, ...u32leb(counter), 0x42, ...s64leb(BigInt(cost)), 0x7c, 0x24, ...u32leb(counter));
    append(out, body.subarray(runStart, end));
    runStart = end;
    cost = 0;
  };
  while (r.p < body.length) {
    const op = r.byte();
    const ends = skipImmediates(op, r);
    if (!FREE.has(op)) cost++;
    if (ends) flush(r.p);
  }
  flush(r.p);
  return out;
}

/** Appends without spreading (a code section is far larger than the engine's argument limit). */
function append(out: number[], src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) out.push(src[i]!);
}

function section(id: number, content: number[]): number[] {
  const out = [id, ...u32leb(content.length)];
  append(out, content);
  return out;
}

/** The module with the counter global added, exported as COUNTER_EXPORT, and every function body instrumented. */
export function instrumentWasm(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const r = new Reader(wasm, 8);
  const sections: { id: number; body: Uint8Array }[] = [];
  while (r.p < wasm.length) {
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, body: r.bytes(size) });
  }
  let importedGlobals = 0;
  const imports = sections.find((s) => s.id === 2);
  if (imports) {
    const ir = new Reader(imports.body);
    const n = ir.u32();
    for (let i = 0; i < n; i++) {
      ir.bytes(ir.u32());
      ir.bytes(ir.u32());
      const kind = ir.byte();
      if (kind === 0) ir.skipLeb();
      else if (kind === 1 || kind === 2) {
        if (kind === 1) ir.byte();
        const flags = ir.byte();
        ir.skipLeb();
        if (flags & 1) ir.skipLeb();
      } else if (kind === 3) {
        ir.byte();
        ir.byte();
        importedGlobals++;
      } else if (kind === 4) {
        ir.byte();
        ir.skipLeb();
      } else throw new Error(`wasm: import kind ${kind}`);
    }
  }
  const globals = sections.find((s) => s.id === 6);
  let definedGlobals = 0;
  const globalEntries: number[] = [];
  if (globals) {
    const gr = new Reader(globals.body);
    definedGlobals = gr.u32();
    append(globalEntries, globals.body.subarray(gr.p));
  }
  const counter = importedGlobals + definedGlobals;
  const globalContent = u32leb(definedGlobals + 1);
  append(globalContent, globalEntries);
  globalContent.push(0x7e, 0x01, 0x42, 0x00, 0x0b);
  const newGlobals = section(6, globalContent);

  const out: number[] = [];
  append(out, wasm.subarray(0, 8));
  let globalsWritten = false;
  for (const s of sections) {
    // Sections are ordered by id (custom ones, id 0, anywhere): the global section goes before the export section.
    if (!globalsWritten && s.id !== 0 && s.id > 6) {
      append(out, newGlobals);
      globalsWritten = true;
    }
    if (s.id === 6) continue;
    if (s.id === 7) {
      const er = new Reader(s.body);
      const n = er.u32();
      const name = [...new TextEncoder().encode(COUNTER_EXPORT)];
      const content = u32leb(n + 1);
      append(content, s.body.subarray(er.p));
      content.push(...u32leb(name.length), ...name, 0x03, ...u32leb(counter));
      append(out, section(7, content));
    } else if (s.id === 10) {
      const cr = new Reader(s.body);
      const n = cr.u32();
      const content: number[] = [...u32leb(n)];
      for (let i = 0; i < n; i++) {
        const size = cr.u32();
        const body = instrumentBody(cr.bytes(size), counter);
        content.push(...u32leb(body.length));
        append(content, body);
      }
      append(out, section(10, content));
    } else {
      const content: number[] = [];
      append(content, s.body);
      append(out, section(s.id, content));
    }
  }
  if (!globalsWritten) append(out, newGlobals);
  return Uint8Array.from(out);
}
