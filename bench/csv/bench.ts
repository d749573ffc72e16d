import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startLocalEnvironment } from '../../local/environment.js';
import { alternately, bundleChild, runChild, writeCsv } from '../support.js';
import { target } from '../targets.js';

const MiB = 1024 * 1024;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

interface Measure {
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  rows?: number;
  error?: string;
  messageBytes?: number;
  firstProblems?: string[];
}

const PERSON_HEADER = 'person_id,first_name,last_name,email,username,status';
const person = (i: number) => `P${i},"Zoë ${i % 97}","Smith, ${i % 13}",p${i}@example.edu,"user ""${i}""",active`;
const STUDENT_HEADER = 'Student Id,Last Name,First Name,Date of Birth,Gender,District Enrollment,Building,Building Reporting Id,Grade,Address,City,State,Zip';
const student = (i: number) =>
  `S${i},Lovelace-${i % 997},"Ada, ${i % 991}",${String((i % 12) + 1).padStart(2, '0')}/${String((i % 28) + 1).padStart(2, '0')}/20${10 + (i % 10)},${i % 2 ? 'F' : 'M'},ENROLLED,Lincoln Elementary ${i % 7},B${i % 7},${i % 13},${i % 9000} Main Street,Springfield,IL,6${String(i % 10000).padStart(4, '0')}`;

/** Writes `pieces` to a file in order (strings or a repeated string of a length). */
async function writeFile(path: string, pieces: Array<string | { repeat: string; bytes: number }>): Promise<void> {
  const out = createWriteStream(path);
  for (const p of pieces) {
    if (typeof p === 'string') {
      if (!out.write(p)) await once(out, 'drain');
      continue;
    }
    const block = p.repeat.repeat(Math.max(1, Math.floor(MiB / p.repeat.length)));
    for (let written = 0; written < p.bytes; written += block.length) if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}


/**
 * The CSV checks of both delivery pipelines: the checker against csv-parse and against a
 * native scan of the same file; the two validation steps against an S3 GET of the same bytes
 * through the same endpoint; and the peak memory of a validation step on pathological files.
 * Each measurement runs in a process of its own.
 */
export async function benchCsv(say: (line?: string) => void): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'csv-bench-'));
  const env = await startLocalEnvironment({ dataDir: join(work, 's3') });
  const s3 = new S3Client({ forcePathStyle: true });
  const put = async (key: string, path: string) => {
    await new Upload({ client: s3, params: { Bucket: env.bucket, Key: key, Body: createReadStream(path) } }).done();
  };
  const results: Record<string, unknown> = {};
  // Bundled as the Lambdas are, so each child runs the code as shipped (no tsx next to it).
  const child = await bundleChild('bench/csv/child.ts', work);
  const runCsvChild = (...args: string[]) => runChild<Measure & Record<string, unknown>>(child, args);
  try {
    // 1. The checker alone, from local disk.
    const personPath = join(work, 'person.csv');
    await writeCsv(personPath, PERSON_HEADER, person, 200 * MiB);
    const size = statSync(personPath).size / MiB;
    // The faster of two runs in turn for the quick ones (the machine's speed drifts); csv-parse takes long enough once.
    const [[native], [ours]] = await alternately(2, () => runCsvChild('scan-native', personPath), () => runCsvChild('scan-ours', personPath));
    const csvParse = await runCsvChild('scan-csv-parse', personPath);
    if (ours.rows !== csvParse.rows) throw new Error(`the checker counted ${ours.rows} rows, csv-parse ${csvParse.rows}`);
    const speed = (m: Measure) => size / m.seconds;
    say(`${fmt(size)} MiB person.csv, ${fmt(ours.rows ?? 0)} rows (quoted fields, doubled quotes, UTF-8), read from local disk:`);
    say(`  native scan (isUtf8 + indexOf)  ${fmt(speed(native))} MiB/s`);
    say(`  our checker (+ unique person_id) ${fmt(speed(ours))} MiB/s ${target('CSV checker alone, from disk', speed(ours), { atLeast: 200, unit: ' MiB/s' })}, peak RSS ${fmt(ours.maxRssMb)} MB → ` +
      `${fmt(speed(ours) / speed(native), 2)}× native ${target('CSV checker vs native scan', speed(ours) / speed(native), { atLeast: 0.5 })}, ` +
      `${fmt(speed(ours) / speed(csvParse), 1)}× csv-parse ${target('CSV checker vs csv-parse', speed(ours) / speed(csvParse), { atLeast: 8 })}`);
    const read = ours.recordsRead as { fast: number; exact: number } | undefined;
    if (read) say(`    records read by the checker's fast path (WebAssembly SIMD): ${fmt(read.fast)}, by its byte-wise path: ${fmt(read.exact)}`);
    say(`  csv-parse                       ${fmt(speed(csvParse))} MiB/s, peak RSS ${fmt(csvParse.maxRssMb)} MB`);
    results.checker = { mib: size, native, ours, csvParse, vsNative: speed(ours) / speed(native), vsCsvParse: speed(ours) / speed(csvParse) };

    // 2. The validation steps against an S3 GET of the same bytes through the same endpoint.
    await put('watermark/outbox/bench/person.csv', personPath);
    const studentsPath = join(work, 'students.csv');
    await writeCsv(studentsPath, STUDENT_HEADER, student, 200 * MiB);
    await put('samegoal/outbox/bench/students.csv', studentsPath);
    const steps: Record<string, unknown> = {};
    for (const [label, mode, key, arg, path] of [
      ['Watermark ValidateBatch', 'validate-watermark', 'watermark/outbox/bench/person.csv', 'bench', personPath],
      ['SameGoal validation', 'validate-samegoal', 'samegoal/outbox/bench/students.csv', 'samegoal/outbox/bench/', studentsPath],
    ] as const) {
      const [[get], [step]] = await alternately(2, () => runCsvChild('s3-get', env.bucket, key), () => runCsvChild(mode, env.bucket, arg));
      if (step.error) throw new Error(`${label} refused the benchmark file: ${step.firstProblems?.join(' ')}`);
      const mib = statSync(path).size / MiB;
      say(`  ${label}: ${fmt(mib / step.seconds)} MiB/s against S3 GET ${fmt(mib / get.seconds)} MiB/s of the same ${fmt(mib)} MiB → ${fmt(get.seconds / step.seconds, 2)} ${target(`${label} vs S3 GET`, get.seconds / step.seconds, { atLeast: 0.7 })}, peak RSS ${fmt(step.maxRssMb)} MB ${target(`${label} peak memory`, step.maxRssMb, { atMost: 256, unit: ' MB' })}`);
      // What each side asked of this machine's two cores, where the local S3 also runs: the time
      // the GET itself waits on that server, the step spends in its own code.
      say(`      CPU time of the measuring process (all its threads): S3 GET ${fmt(get.cpuSeconds, 2)} s in ${fmt(get.seconds, 2)} s, ${label} ${fmt(step.cpuSeconds, 2)} s in ${fmt(step.seconds, 2)} s`);
      steps[label] = { mib, get, step, ratio: get.seconds / step.seconds };
    }
    results.steps = steps;
    rmSync(studentsPath);

    // 3. Pathological files, each the only file of a Watermark batch, each in its own process.
    say();
    say('Pathological files through Watermark ValidateBatch (target: peak RSS ≤ 256 MB, a short message):');
    const cases: Array<[string, string, Array<string | { repeat: string; bytes: number }>]> = [
      ['an unclosed quote, 20 MB', 'person.csv', [`${PERSON_HEADER}\n`, 'P0,"never closed,x,y,z,active\n', { repeat: `${person(1)}\n`, bytes: 20 * MiB }]],
      ['one line of 50 MB', 'person.csv', [`${PERSON_HEADER}\nP0,`, { repeat: 'x', bytes: 50 * MiB }, '\n']],
      ['one quoted field of 50 MB', 'person.csv', [`${PERSON_HEADER}\nP0,"`, { repeat: 'y', bytes: 50 * MiB }, '",b,c,d,active\n']],
      ['4,993,220 rows of one person_id (200 MB)', 'person.csv', [`${PERSON_HEADER}\n`, { repeat: 'P1,Ada,Lovelace,ada@example.edu,ada,active\r\n', bytes: 4_993_220 * 43 }]],
      ['a header of 100,000 unknown columns', 'wide.csv', [Array.from({ length: 100_000 }, (_, i) => `col_${i}`).join(','), '\n', Array.from({ length: 100_000 }, () => 'v').join(','), '\n']],
    ];
    const pathological: Record<string, unknown> = {};
    for (const [i, [label, name, pieces]] of cases.entries()) {
      const path = join(work, `case-${i}.csv`);
      await writeFile(path, pieces);
      await put(`watermark/outbox/case-${i}/${name}`, path);
      const m = await runCsvChild('validate-watermark', env.bucket, `case-${i}`);
      say(`  ${label}: peak RSS ${fmt(m.maxRssMb)} MB ${target(`pathological CSV: ${label}, peak memory`, m.maxRssMb, { atMost: 256, unit: ' MB' })}, ${fmt(m.seconds, 1)} s, ${m.error ?? 'accepted'}, message ${fmt(m.messageBytes ?? 0)} bytes`);
      for (const p of m.firstProblems ?? []) say(`      ${p.length > 150 ? `${p.slice(0, 150)}…` : p}`);
      pathological[label] = m;
      rmSync(path);
    }
    results.pathological = pathological;
  } finally {
    s3.destroy();
    await env.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
