import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CsvChecker, uniqueColumns, type CsvResult, type RowCheck } from '../../lambdas/csv.js';
import { seededRandom } from '../../lambdas/sandbox/faults.js';
import { compileCsvScan, generatedSource } from '../../lambdas/csv-scan.build.js';

/**
 * The checker's fast path (WebAssembly SIMD, lambdas/csv-scan.wat) against its exact path (a
 * byte loop): on any bytes, split anywhere, both must give the same header, rows, problems,
 * lines and columns, and hand every row check the same values on the same lines.
 */

const b = (...bytes: number[]) => Buffer.from(bytes);
/** Pieces a file is made of: mostly plain CSV, and every byte or pair either path treats apart. */
const PIECES: Array<[number, Buffer]> = [
  [30, Buffer.from('abc')],
  [10, Buffer.from('Zoë')],
  [25, Buffer.from(',')],
  [8, Buffer.from('"')],
  [4, Buffer.from('""')],
  [8, Buffer.from('"x, ""y"""')],
  [10, Buffer.from('\n')],
  [4, Buffer.from('\r\n')],
  [1, Buffer.from('\r')],
  [2, Buffer.from('\t ')],
  [1, b(0x00)],
  [1, b(0x7f)],
  [1, b(0x0b)],
  [1, b(0xc2, 0x85)], // C1 NEL
  [2, b(0xc2, 0xa0)], // NBSP: ordinary
  [1, b(0xc2)],
  [1, b(0xff)], // not UTF-8
  [1, Buffer.from('x'.repeat(150))],
];
const WEIGHT = PIECES.reduce((n, [w]) => n + w, 0);

function messyFile(rand: () => number, pieces: number): Buffer {
  const out: Buffer[] = [Buffer.from('id,name,note\n')];
  for (let k = 0; k < pieces; k++) {
    let r = rand() * WEIGHT;
    for (const [w, piece] of PIECES) {
      r -= w;
      if (r < 0) {
        out.push(piece);
        break;
      }
    }
  }
  return Buffer.concat(out);
}

/** Plain CSV of three columns, with quoted commas and doubled quotes, as exports look. */
function plainFile(rows: number, eol = '\n'): Buffer {
  const lines = ['id,name,note'];
  for (let i = 0; i < rows; i++) lines.push(`P${i},"Smith, ${i % 13}","say ""${i}"""`);
  return Buffer.from(lines.join(eol) + eol);
}

interface Run {
  result: CsvResult;
  rows: string[];
  recordsRead: { fast: number; exact: number };
}

function run(bytes: Buffer, chunks: number[], fast: boolean): Run {
  const rows: string[] = [];
  const checker = new CsvChecker(
    (header, c) => {
      // Repeats of one column, and of two together.
      const ids = uniqueColumns(c, header, [header[0]!], 'ids are unique');
      const pairs = uniqueColumns(c, header, header.slice(1, 3), 'name and note are unique together');
      const check: RowCheck = (row) => {
        const values = header.map((_, k) => row.value(k));
        rows.push(`${row.line}:${JSON.stringify(values)}:${header.map((_, k) => row.byteLength(k)).join('/')}`);
        ids?.(row);
        pairs?.(row);
      };
      check.finish = () => {
        ids?.finish?.();
        pairs?.finish?.();
      };
      return check;
    },
    { fast },
  );
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = chunks[k % chunks.length]!;
    checker.write(bytes.subarray(at, at + size));
    at += size;
  }
  return { result: checker.end(), rows, recordsRead: checker.recordsRead };
}

function expectSame(bytes: Buffer, chunks: number[], label: string): Run {
  const fast = run(bytes, chunks, true);
  const exact = run(bytes, chunks, false);
  expect(fast.result, label).toEqual(exact.result);
  expect(fast.rows, label).toEqual(exact.rows);
  expect(exact.recordsRead.fast, label).toBe(0);
  return fast;
}

describe('CSV checker: the fast path gives what the exact path gives', () => {
  it('the WebAssembly the checker loads is csv-scan.wat compiled (run `npm run build:wasm` after editing it)', async () => {
    const committed = readFileSync(new URL('../../lambdas/csv-scan-wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe(generatedSource(await compileCsvScan()));
  });

  it('on 400 messy files (control characters, stray and doubled quotes, CR, C1, bad UTF-8), split anywhere', () => {
    // Seeded, so a failure names a case that can be run again.
    const rand = seededRandom(20261128);
    for (let c = 0; c < 400; c++) {
      const bytes = messyFile(rand, 20 + Math.floor(rand() * 400));
      const chunks = [1 + Math.floor(rand() * (rand() < 0.3 ? 8 : 300)), 1 + Math.floor(rand() * 5000)];
      expectSame(bytes, chunks, `case ${c}, chunks ${chunks}: ${JSON.stringify(bytes.toString('latin1'))}`);
    }
  });

  it('on plain files the fast path reads the records, whatever the chunks, with LF or CRLF', () => {
    for (const eol of ['\n', '\r\n']) {
      const bytes = plainFile(5000, eol);
      for (const chunks of [[64 * 1024], [1000, 7], [13], [bytes.length]]) {
        const r = expectSame(bytes, chunks, `${JSON.stringify(eol)} in chunks of ${chunks}`);
        expect(r.result.rows).toBe(5000);
        expect(r.result.problems).toEqual([]);
        // Only records cut by a chunk's end go to the exact path.
        expect(r.recordsRead.exact).toBeLessThanOrEqual(Math.ceil(bytes.length / Math.min(...chunks)) + 1);
        if (Math.min(...chunks) >= 1000) expect(r.recordsRead.fast).toBeGreaterThan(4000);
      }
    }
  });

  it('hands back to the fast path after each record it leaves to the exact one', () => {
    // Every 100th row has a line break inside quotes (an address over two lines) or a NUL.
    const lines = ['id,name,note'];
    for (let i = 0; i < 5000; i++) lines.push(i % 200 === 0 ? `P${i},"12 Main St\nApt ${i}",x` : i % 200 === 100 ? `P${i},a\u0000b,x` : `P${i},"Smith, ${i}",x`);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const r = expectSame(bytes, [64 * 1024], 'multi-line and NUL rows');
    // 25 NULs, and 24 repeats of the name and note 'a<NUL>b', 'x'.
    expect(r.result.problems.length + r.result.moreProblems).toBe(49);
    expect(r.result.problems[0]).toMatchObject({ line: 103, column: 'name', message: expect.stringMatching(/U\+0000/) });
    expect(r.recordsRead.exact).toBeLessThan(100);
    expect(r.recordsRead.fast).toBeGreaterThan(4900);
  });

  it('finds a repeated key whichever path read each of its rows, quoted or not', () => {
    // Row 2 goes to the exact path (a NUL in its note); its id repeats in row 3 (fast path), quoted.
    const lines = ['id,name,note', 'A1,x,a\u0000b', '"A1",y,c', 'A""2,z,d', '"A""""2",w,e', '"",v,f', ',u,g'];
    for (let i = 0; i < 3000; i++) lines.push(`B${i},"n, ${i}",m`);
    lines.push('B2999,last,row');
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const r = expectSame(bytes, [64 * 1024], 'repeats across paths');
    const repeats = r.result.problems.filter((p) => p.message.includes('same value'));
    expect(repeats).toEqual([
      { line: 3, column: 'id', message: 'has the same value as line 2; ids are unique' },
      { line: 5, column: 'id', message: 'has the same value as line 4; ids are unique' },
      { line: 3008, column: 'id', message: 'has the same value as line 3007; ids are unique' },
    ]);
    expect(r.recordsRead.fast).toBeGreaterThan(2900);
  });

  it.each([
    ['every record ends in a lone CR (old Mac files)', 20_000, (i: number) => `P${i},"Smith, ${i}",x\r`],
    ['every record holds a line break inside quotes', 20_000, (i: number) => `P${i},"12 Main St\nApt ${i}",x\n`],
    ['every other record holds a control character', 20_000, (i: number) => (i % 2 ? `P${i},a\u0001b,x\n` : `P${i},"Smith, ${i}",x\n`)],
    ['every record is longer than the window (70 KB)', 200, (i: number) => `P${i},${'w'.repeat(70_000)},x\n`],
  ])('copies each byte to the fast path about once, even when %s', (_label, rows, row) => {
    // Each window is copied before it is scanned: if every record cut the window short, a 64 KiB
    // window per record would copy the file hundreds of times over. The smallest window is 64
    // bytes, more than two of these short records.
    const bytes = Buffer.from(`id,name,note\n${Array.from({ length: rows }, (_, i) => row(i)).join('')}`);
    const checker = new CsvChecker();
    for (let at = 0; at < bytes.length; at += 64 * 1024) checker.write(bytes.subarray(at, at + 64 * 1024));
    expect(checker.end().rows).toBe(rows);
    expect(checker.windowBytes).toBeLessThan(bytes.length * 3);
    expectSame(bytes, [64 * 1024], 'the same answers');
  });

  it('quoted fields that cross a 64-byte block, the window, or are longer than the window', () => {
    for (const len of [60, 63, 64, 65, 127, 128, 129, 70_000, 140_000]) {
      const field = 'q'.repeat(len);
      const bytes = Buffer.from(`id,name,note\n1,"${field}",x\n2,"a""${field}""",y\n3,${field},z\n`);
      for (const chunks of [[64 * 1024], [len + 5], [1 << 20]]) expectSame(bytes, chunks, `field of ${len} bytes, chunks ${chunks}`);
    }
  });
});
