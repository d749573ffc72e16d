/**
 * The CSV checker's fast path (csv.ts): loads csv-scan.wat, compiled (csv-scan-wasm.ts holds its
 * bytes; `npm run build:wasm` writes them), and gives each checker an instance of its own.
 */
import { Buffer } from 'node:buffer';
import { CSV_SCAN_WASM } from './csv-scan-wasm.js';

/** The fast path's scanner (csv-scan.wat), one instance per checker: its memory is the checker's window. */
export interface FastScan {
  scan(len: number, base: number): number;
  window: Uint8Array;
  /** Where each field ends, in the checker's buffer. */
  out: Int32Array;
  /** Per record, the number of entries of `out` up to its last field. */
  recs: Int32Array;
  anomaly: { value: number };
}
interface ScanExports {
  scan(len: number, base: number): number;
  memory: { buffer: ArrayBuffer };
  WINDOW: { value: number };
  OUT: { value: number };
  RECS: { value: number };
  anomaly: { value: number };
}
/** The part of the WebAssembly API used here (TypeScript's ES libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
/** Bytes after a window that the scan reads (zeroed): it reads one byte past each 64-byte block. */
export const WINDOW_PAD = 80;
let scanModule: object | null | undefined;

export function fastScan(): FastScan | undefined {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (scanModule === undefined) {
    try {
      scanModule = wasm ? new wasm.Module(Buffer.from(CSV_SCAN_WASM, 'base64')) : null;
    } catch {
      scanModule = null; // no WebAssembly SIMD in this runtime: the exact path reads everything
    }
  }
  if (!scanModule || !wasm) return undefined;
  const e = new wasm.Instance(scanModule).exports as ScanExports;
  const size = e.WINDOW.value;
  const memory = e.memory.buffer;
  return { scan: e.scan, window: new Uint8Array(memory, 0, size + WINDOW_PAD), out: new Int32Array(memory, e.OUT.value, size), recs: new Int32Array(memory, e.RECS.value, size), anomaly: e.anomaly };
}
