import { describe, expect, it } from "vitest";
import { COUNTER_EXPORT, instrumentWasm } from "../../bench/wasmCount";

// A hand-assembled module: f(x) = x + 1 (3 counted instructions), g(n) counts n down to 0 in a loop
// (5 counted per iteration, 1 after the loop; loop and end cost nothing, as in wasmtime's fuel).
const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const MODULE = hex(`
  00 61 73 6d 01 00 00 00
  01 06 01 60 01 7f 01 7f
  03 03 02 00 00
  07 09 02 01 66 00 00 01 67 00 01
  0a 1a 02
    07 00 20 00 41 01 6a 0b
    10 00 03 40 20 00 41 01 6b 22 00 0d 00 0b 20 00 0b
`);

async function instantiate() {
  const { instance } = await WebAssembly.instantiate(instrumentWasm(MODULE), {});
  const exports = instance.exports as { f: (x: number) => number; g: (n: number) => number } & Record<string, WebAssembly.Global>;
  const counter = exports[COUNTER_EXPORT]!;
  const counted = (run: () => unknown) => {
    const before = counter.value as bigint;
    run();
    return Number((counter.value as bigint) - before);
  };
  return { exports, counted };
}

describe("wasm instruction counting", () => {
  it("GIVEN a straight-line function WHEN it runs THEN its three instructions are counted and its result is unchanged", async () => {
    const { exports, counted } = await instantiate();
    expect(exports.f(41)).toBe(42);
    expect(counted(() => exports.f(1))).toBe(3);
  });

  it.each([1, 10, 1000])("GIVEN a loop of %i iterations WHEN it runs THEN 5 per iteration plus 1 are counted", async (n) => {
    const { exports, counted } = await instantiate();
    expect(counted(() => exports.g(n))).toBe(5 * n + 1);
  });

  it("GIVEN the instrumented module WHEN validated THEN it is valid WebAssembly", () => {
    expect(WebAssembly.validate(instrumentWasm(MODULE))).toBe(true);
  });
});
