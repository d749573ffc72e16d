import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../delivery.js';
import { setLogSink } from '../../../../lambdas/log.js';
import { startLocalEnvironment, type LocalEnvironment } from '../../../../local/environment.js';
import { runPipeline } from '../../../../local/runner.js';
import { sampleDelivery } from '../../sandbox/sample-batch.js';
import { putBatch } from '../../../../test/helpers/local.js';
import { startOpenSsh, type OpenSsh } from '../../sandbox/openssh.js';

// The integration lane: samegoal-delivery through the local Transfer connector into a real OpenSSH sshd.
let sshd: OpenSsh;
let env: LocalEnvironment;
let s3: S3Client;

beforeAll(async () => {
  setLogSink(() => undefined);
  sshd = await startOpenSsh();
  env = await startLocalEnvironment({
    config: { samegoal: { settings: { sftpUrl: sshd.url, trustedHostKeys: [sshd.hostPublicKey] }, secret: { Username: sshd.user, PrivateKey: sshd.privateKey } } },
  });
  s3 = new S3Client({ forcePathStyle: true });
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await env?.stop();
  await sshd?.stop();
});

describe('samegoal-delivery against OpenSSH sshd', () => {
  it('delivers into a new epoch directory in the chroot, and the server timestamps show COMPLETE written after every CSV', async () => {
    const files = sampleDelivery(2000);
    await putBatch(s3, env.bucket, 'openssh-1', files, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch: 'openssh-1' });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const d = run.output as Delivery;
    const dir = join(sshd.root, d.remoteDir);
    expect(readdirSync(dir).sort()).toEqual(['COMPLETE', 'guardians.csv', 'students.csv']);
    expect(readFileSync(join(dir, 'students.csv'), 'utf-8')).toBe(files['students.csv']);
    expect(statSync(join(dir, 'COMPLETE')).size).toBe(0);
    // From the server's filesystem (nanosecond mtimes, set by sshd as it wrote): COMPLETE came after the last byte of every CSV.
    const mtime = (name: string) => statSync(join(dir, name), { bigint: true }).mtimeNs;
    for (const csv of ['students.csv', 'guardians.csv']) expect(mtime('COMPLETE') > mtime(csv), csv).toBe(true);
    // And sshd logged one login per SFTP session: the epoch directory, the connector's sessions, the checks.
    expect(readFileSync(sshd.logFile, 'utf-8')).toMatch(/Accepted publickey for etlhubsftp from 127\.0\.0\.1/);
  });

  it('refuses the real server when the pinned host key is another one', async () => {
    const { connectSftp } = await import('../../sftp.js');
    const wrong = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    const error = await connectSftp(sshd.url, { Username: sshd.user, PrivateKey: sshd.privateKey }, [wrong], 'etl/samegoal').catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'SameGoal.HostKeyMismatch' });
  });
});
