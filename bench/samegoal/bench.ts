import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startLocalEnvironment } from '../../local/environment.js';
import { startOpenSsh } from '../../vendors/samegoal/sandbox/openssh.js';
import { synthesize } from '../../local/bundles.js';
import { ROOT } from '../../local/paths.js';
import { runPipeline } from '../../local/runner.js';
import { alternately, bundleChild, runChild, stepTimer, timed, writeCsv } from '../support.js';
import { target } from '../targets.js';

const MiB = 1024 * 1024;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** students.csv and guardians.csv, valid for SameGoal, about `total` bytes together. */
async function writeDelivery(dir: string, total: number): Promise<string[]> {
  const specs: Array<[string, string, (i: number) => string, number]> = [
    ['students.csv', 'Student Id,Last Name,First Name,Date of Birth,Gender,District Enrollment,Building,Building Reporting Id,Grade,Address,City,State,Zip',
      (i) => `S${i},Lovelace-${i % 997},Ada-${i % 991},${String((i % 12) + 1).padStart(2, '0')}/${String((i % 28) + 1).padStart(2, '0')}/20${10 + (i % 10)},${i % 2 ? 'F' : 'M'},ENROLLED,Lincoln Elementary ${i % 7},B${i % 7},${i % 13},${i % 9000} Main Street,Springfield,IL,6${String(i % 10000).padStart(4, '0')}`, 0.8],
    ['guardians.csv', 'Student Id,Guardian Last Name,Guardian First Name,Relationship,Email',
      (i) => `S${i},Lovelace-${i % 997},Byron-${i % 983},${i % 2 ? 'Mother' : 'Father'},guardian${i}@example.org`, 0.2],
  ];
  const paths: string[] = [];
  for (const [name, header, row, share] of specs) {
    const path = join(dir, name);
    await writeCsv(path, header, row, total * share);
    paths.push(path);
  }
  return paths;
}

/**
 * samegoal-delivery of about 500 MB of CSV to a real OpenSSH sshd on loopback, against OpenSSH's
 * own `sftp -b` put of the same files to the same server, and the delivery's peak memory.
 * Needs root and openssh-server (as the integration lane does).
 */
export async function benchSameGoal(say: (line?: string) => void): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  say('Synthesizing the bundles …');
  const assembly = await synthesize(join(ROOT, '.local', 'bench', 'cdk.out'));
  const sshd = await startOpenSsh();
  const env = await startLocalEnvironment({
    config: { samegoal: { settings: { sftpUrl: sshd.url, trustedHostKeys: [sshd.hostPublicKey], transport: 'direct' }, secret: { Username: sshd.user, PrivateKey: sshd.privateKey } } },
    dataDir: join(work, 's3'),
  });
  const s3 = new S3Client({ forcePathStyle: true });
  try {
    const paths = await writeDelivery(work, Number(process.env.BENCH_SAMEGOAL_MB ?? 500) * MiB);
    const bytes = paths.reduce((n, p) => n + statSync(p).size, 0);
    for (const path of paths) {
      await new Upload({ client: s3, params: { Bucket: env.bucket, Key: `samegoal/outbox/bench/${path.split('/').pop()}`, Body: createReadStream(path) } }).done();
    }
    // What cdk synth ships, each step in its own process: its time, and its peak memory as Lambda counts it.
    const { onEvent, seconds } = stepTimer();
    const run = await runPipeline('samegoal-delivery', { batch: 'bench', allowMassChange: true }, { onEvent, code: { kind: 'bundled', assembly, onLine: () => undefined } });
    if (run.status !== 'SUCCEEDED') throw new Error(`${run.error}: ${run.cause}`);
    const memory = run.maxMemoryUsedMb ?? {};
    const putter = await bundleChild('bench/samegoal/child.ts', work);
    const child = <T>(...args: string[]) => runChild<T>(putter, args, { BENCH_SFTP_SECRET: JSON.stringify({ Username: sshd.user, PrivateKey: sshd.privateKey }) });
    const knownHosts = join(work, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const complete = join(work, 'COMPLETE');
    writeFileSync(complete, '');
    // Our SFTP code and OpenSSH's sftp from local disk, in turn, twice, each into a new directory
    // that is removed after; the faster run of each counts (the machine's speed drifts).
    const [[fromDisk], [sftp]] = await alternately(
      2,
      async (round) => {
        const dir = `/upload/ours-from-disk-${round}`;
        const run = await child<{ seconds: number }>('--put-from-disk', dir, ...paths);
        rmSync(join(sshd.root, dir), { recursive: true, force: true });
        return run;
      },
      async (round) => {
        const batch = join(work, `batch-${round}`);
        const dir = `/upload/openssh-baseline-${round}`;
        writeFileSync(batch, [`mkdir ${dir}`, ...paths.map((p) => `put ${p} ${dir}/`), `put ${complete} ${dir}/COMPLETE`, ''].join('\n'));
        const run = await timed('sftp', [
          '-q', '-b', batch, '-i', sshd.privateKeyPath, '-P', String(sshd.port),
          '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
          `${sshd.user}@127.0.0.1`,
        ]);
        rmSync(join(sshd.root, dir), { recursive: true, force: true });
        return run;
      },
    );
    const sftpSeconds = sftp.seconds;
    const oursSeconds = seconds.DeliverDirect!;
    say();
    say(`${fmt(bytes / MiB)} MiB of CSV (students.csv, guardians.csv) to OpenSSH sshd on loopback:`);
    say(`  from local disk: our SFTP code ${fmt(bytes / MiB / fromDisk.seconds)} MiB/s, \`sftp -b\` put ${fmt(bytes / MiB / sftpSeconds)} MiB/s → ratio ${fmt(sftpSeconds / fromDisk.seconds, 2)} ${target('SameGoal SFTP vs sftp -b, both from disk', sftpSeconds / fromDisk.seconds, { atLeast: 0.8 })}`);
    say(`  the delivery step (S3 → SFTP, verify, COMPLETE; direct transport) ${fmt(bytes / MiB / oursSeconds)} MiB/s → ${fmt(sftpSeconds / oursSeconds, 2)} of \`sftp -b\` from disk ` +
      '(the local S3 shares the two cores with sshd; OpenSSH\'s sftp takes only regular files, so it has no run from S3)');
    say(`  validation (PrepareDelivery) ${fmt(seconds.PrepareDelivery ?? 0, 1)} s`);
    say(`  peak memory per step, bundled, as Lambda counts it ${target("SameGoal largest step's peak", Math.max(...Object.values(memory)), { atMost: 256, unit: ' MB' })}: ${Object.entries(memory).map(([fn, mb]) => `${fn} ${fmt(mb)} MB`).join(', ')}`);
    return { bytes, oursSeconds, sftpSeconds, ratio: sftpSeconds / oursSeconds, fromDiskSeconds: fromDisk.seconds, fromDiskRatio: sftpSeconds / fromDisk.seconds, memoryMb: memory, seconds };
  } finally {
    s3.destroy();
    await env.stop();
    await sshd.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
