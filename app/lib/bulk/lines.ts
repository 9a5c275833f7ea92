/**
 * Streaming JSONL line splitter: feed byte chunks as they arrive, get complete lines out. Holds at most one
 * partial line, so a multi-gigabyte bulk-operation file never sits in memory. Pure: the UTF-8 decoder is
 * injectable (TextDecoder by default; the server passes Node's faster Buffer decoding).
 *
 * Bytes are cut at newlines before decoding — 0x0A never occurs inside a multi-byte UTF-8 sequence — and in
 * small windows, because V8 splits short strings much faster than megabyte ones.
 */
export type Utf8Decode = (bytes: Uint8Array) => string;

const WINDOW = 16_384;
const NL = 10;

export function textDecoderUtf8(): Utf8Decode {
  const d = new TextDecoder("utf-8");
  return (b) => d.decode(b);
}

export class LineSplitter {
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  private discarding = false;
  /** Lines dropped because they exceeded maxLineBytes (each counted once). */
  oversized = 0;

  constructor(
    private readonly maxLineBytes = 1 << 20,
    private readonly decode: Utf8Decode = textDecoderUtf8(),
  ) {}

  /** Splits a chunk; calls onLine for every complete line (without the newline, CR stripped, blank skipped). */
  push(chunk: Uint8Array | string, onLine: (line: string) => void): void {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    let i = 0;
    while (i < bytes.length) {
      const end = Math.min(bytes.length, i + WINDOW);
      let cut = bytes.lastIndexOf(NL, end - 1);
      if (cut < i) {
        // No newline in this window: look for the next one (a long line), or keep the rest.
        cut = bytes.indexOf(NL, end);
        if (cut === -1) {
          this.keep(bytes.subarray(i));
          return;
        }
      }
      this.emitBlock(bytes.subarray(i, cut), onLine);
      i = cut + 1;
    }
  }

  /** Flushes the last line (a file may end without a newline — or in the middle of a truncated line). */
  end(onLine: (line: string) => void): void {
    if (!this.discarding && this.carryBytes > 0) this.emitBlock(new Uint8Array(0), onLine);
    this.carry = [];
    this.carryBytes = 0;
    this.discarding = false;
  }

  private keep(b: Uint8Array): void {
    if (this.discarding) return;
    if (this.carryBytes + b.length > this.maxLineBytes) {
      // A line this long is not a bulk-operation record; drop it up to the next newline.
      this.oversized++;
      this.carry = [];
      this.carryBytes = 0;
      this.discarding = true;
      return;
    }
    this.carry.push(b.slice());
    this.carryBytes += b.length;
  }

  /** `block` = bytes up to (not including) a newline: the carried partial line's end plus whole lines. */
  private emitBlock(block: Uint8Array, onLine: (line: string) => void): void {
    let text: string;
    if (this.discarding) {
      this.discarding = false;
      const first = block.indexOf(NL);
      if (first === -1) return;
      text = this.decode(block.subarray(first + 1));
    } else if (this.carryBytes > 0) {
      const firstNl = block.indexOf(NL);
      const headEnd = firstNl === -1 ? block.length : firstNl;
      if (this.carryBytes + headEnd > this.maxLineBytes) {
        this.oversized++;
        this.carry = [];
        this.carryBytes = 0;
        if (firstNl === -1) return;
        text = this.decode(block.subarray(firstNl + 1));
      } else {
        const joined = new Uint8Array(this.carryBytes + block.length);
        let o = 0;
        for (const c of this.carry) {
          joined.set(c, o);
          o += c.length;
        }
        joined.set(block, o);
        this.carry = [];
        this.carryBytes = 0;
        text = this.decode(joined);
      }
    } else text = this.decode(block);
    const lines = text.split("\n");
    for (let k = 0; k < lines.length; k++) {
      let l = lines[k];
      if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) l = l.slice(0, -1);
      if (l.length > 0 && l.charCodeAt(0) > 32) onLine(l);
      else if (l.length > 0 && l.trim().length > 0) onLine(l);
    }
  }
}

/** Reads a byte stream line by line: a web ReadableStream (fetch(url).body) or any async iterable of bytes. */
export async function forEachLine(
  stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  onLine: (line: string) => void | Promise<void>,
  opts: { maxLineBytes?: number; decode?: Utf8Decode } = {},
): Promise<{ oversized: number }> {
  const splitter = new LineSplitter(opts.maxLineBytes, opts.decode);
  const pending: string[] = [];
  const collect = (l: string) => void pending.push(l);
  const drain = async () => {
    for (let i = 0; i < pending.length; i++) {
      const r = onLine(pending[i]);
      if (r) await r;
    }
    pending.length = 0;
  };
  if ("getReader" in stream) {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        splitter.push(value, collect);
        await drain();
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const value of stream) {
      splitter.push(value, collect);
      await drain();
    }
  }
  splitter.end(collect);
  await drain();
  return { oversized: splitter.oversized };
}
