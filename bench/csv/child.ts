/**
 * One CSV measurement in a process of its own, so its peak memory is its own (as each step is
 * its own Lambda). Prints one JSON line: seconds, CPU seconds, peak RSS and what the step said.
 *
 *   scan-native <file>         Buffer.isUtf8 + indexOf over quotes and newlines: the floor
 *   scan-ours <file>           our checker, with the unique-id check of person.csv
 *   scan-csv-parse <file>      csv-parse, records counted
 *   s3-get <bucket> <key>      an S3 GET of the same bytes, read to the end
 *   validate-watermark <bucket> <batch>     Watermark's ValidateBatch step logic
 *   validate-samegoal <bucket> <prefix>     SameGoal's validation step logic
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CsvChecker, uniqueColumns } from '../../lambdas/csv.js';
import { setLogSink } from '../../lambdas/log.js';
import { peakRssMb } from '../support.js';
import { s3 } from '../../lambdas/s3.js';

setLogSink(() => undefined);
const [mode, a, b] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const result: Record<string, unknown> = {};

const chunks = (path: string) => createReadStream(path, { highWaterMark: 64 * 1024 });

switch (mode) {
  case 'scan-native': {
    let quotes = 0;
    let lines = 0;
    let valid = true;
    for await (const buf of chunks(a) as AsyncIterable<Buffer>) {
      valid &&= isUtf8(buf);
      for (let i = buf.indexOf(0x22); i !== -1; i = buf.indexOf(0x22, i + 1)) quotes++;
      for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) lines++;
    }
    Object.assign(result, { quotes, lines, valid });
    break;
  }
  case 'scan-ours': {
    const checker = new CsvChecker((header, c) => uniqueColumns(c, header, ['person_id'], 'person_id is unique'));
    for await (const buf of chunks(a)) checker.write(buf as Buffer);
    const r = checker.end();
    Object.assign(result, { rows: r.rows, problems: r.problems.length + r.moreProblems, recordsRead: checker.recordsRead });
    break;
  }
  case 'scan-csv-parse': {
    const { parse } = await import('csv-parse');
    let rows = 0;
    for await (const _record of chunks(a).pipe(parse({ relax_column_count: false }))) rows++;
    Object.assign(result, { rows: rows - 1 });
    break;
  }
  case 's3-get': {
    const body = (await s3.send(new GetObjectCommand({ Bucket: a, Key: b }))).Body as AsyncIterable<Buffer>;
    let bytes = 0;
    for await (const chunk of body) bytes += chunk.length;
    Object.assign(result, { bytes });
    break;
  }
  case 'validate-watermark': {
    const { validateBatch } = await import('../../vendors/watermark/batch.js');
    const { SEED_REGISTRY } = await import('../../vendors/watermark/registry.js');
    try {
      const { files } = await validateBatch(a, b, SEED_REGISTRY);
      Object.assign(result, { rows: files.reduce((n, f) => n + f.rows, 0) });
    } catch (e) {
      Object.assign(result, { error: (e as Error).name, messageBytes: Buffer.byteLength((e as Error).message), firstProblems: (e as Error).message.split('\n').slice(1, 4) });
    }
    break;
  }
  case 'validate-samegoal': {
    const { validateDelivery } = await import('../../vendors/samegoal/validate.js');
    try {
      const files = await validateDelivery(a, b);
      Object.assign(result, { rows: files.reduce((n, f) => n + f.rows, 0) });
    } catch (e) {
      Object.assign(result, { error: (e as Error).name, messageBytes: Buffer.byteLength((e as Error).message), firstProblems: (e as Error).message.split('\n').slice(1, 4) });
    }
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
// CPU time of every thread of this process over the same span (V8's GC helpers among them).
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(`${JSON.stringify({ ...result, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: peakRssMb() })}\n`);
process.exit(0);
