/**
 * Streaming JSONL line splitter: feed byte chunks as they arrive, get complete lines out. Holds at most one
 * partial line, so a multi-gigabyte bulk-operation file never sits in memory. Pure (TextDecoder only).
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8");
  private carry = "";
  private discarding = false;
  /** Lines dropped because they exceeded maxLineChars (each counted once). */
  oversized = 0;

  constructor(private readonly maxLineChars = 1 << 20) {}

  /** Splits a chunk; calls onLine for every complete line (without the newline, CR stripped, blank skipped). */
  push(chunk: Uint8Array | string, onLine: (line: string) => void): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = text.indexOf("\n");
    while (nl !== -1) {
      if (this.discarding) {
        this.discarding = false;
        this.carry = "";
      } else {
        const piece = start === 0 && this.carry ? this.carry + text.slice(0, nl) : text.slice(start, nl);
        this.carry = "";
        this.emit(piece, onLine);
      }
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    if (this.discarding) return;
    this.carry = start === 0 ? this.carry + text : text.slice(start);
    if (this.carry.length > this.maxLineChars) {
      // A line this long is not a bulk-operation record; drop it up to the next newline.
      this.oversized++;
      this.carry = "";
      this.discarding = true;
    }
  }

  /** Flushes the last line (a file may end without a newline — or in the middle of a truncated line). */
  end(onLine: (line: string) => void): void {
    const rest = this.decoder.decode();
    if (!this.discarding) this.emit(this.carry + rest, onLine);
    this.carry = "";
    this.discarding = false;
  }

  private emit(line: string, onLine: (line: string) => void): void {
    const l = line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    if (l.length > 0 && l.trim().length > 0) onLine(l);
  }
}

/** Reads a web ReadableStream of bytes line by line (fetch(url).body, or any byte stream). */
export async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void | Promise<void>,
  maxLineChars?: number,
): Promise<{ oversized: number }> {
  const splitter = new LineSplitter(maxLineChars);
  const reader = stream.getReader();
  const pending: string[] = [];
  const collect = (l: string) => void pending.push(l);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      splitter.push(value, collect);
      for (let i = 0; i < pending.length; i++) {
        const r = onLine(pending[i]);
        if (r) await r;
      }
      pending.length = 0;
    }
    splitter.end(collect);
    for (const l of pending) {
      const r = onLine(l);
      if (r) await r;
    }
  } finally {
    reader.releaseLock();
  }
  return { oversized: splitter.oversized };
}
