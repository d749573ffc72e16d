import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEd25519 } from '../sandbox/keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../delivery.js';
import { runPipeline } from '../../../local/runner.js';
import { sampleDelivery } from '../sandbox/sample-batch.js';
import { SFTP_SANDBOX_PASSWORD, SFTP_SANDBOX_USER, SftpSandbox } from '../sandbox/sftp-server.js';
import { SAMEGOAL_SECRET_ID, putBatch, startEnv } from '../../../test/helpers/local.js';

let env: Awaited<ReturnType<typeof startEnv>>;
const good = sampleDelivery(300);
let n = 0;
const nextBatch = async () => {
  await new Promise((r) => setTimeout(r, 1050)); // epoch names have one-second resolution
  return `sgf-${++n}`;
};
const completeDirs = () => readdirSync(join(env.samegoal.root!, 'upload')).filter((d) => existsSync(join(env.samegoal.root!, 'upload', d, 'COMPLETE')));

beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

describe('samegoal-delivery under faults', () => {
  it('auto mode sends <name>_auto.csv straight into /upload, with no directory and no COMPLETE', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    const run = await runPipeline('samegoal-delivery', { batch, mode: 'auto' });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((run.output as Delivery).remoteDir).toBe('/upload');
    expect(readFileSync(join(env.samegoal.root!, 'upload', 'students_auto.csv'), 'utf-8')).toBe(good['students.csv']);
    expect(existsSync(join(env.samegoal.root!, 'upload', 'guardians_auto.csv'))).toBe(true);
    expect(env.samegoal.sftp!.ops.some((o) => o.op === 'mkdir')).toBe(false);
    expect(completeDirs()).toEqual([]);
  });

  it('survives the server dropping the connection in the middle of a file: the transfer is retried and the file is whole', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    env.samegoal.sftp!.dropConnection(/students\.csv$/, 8_000, 1);
    const run = await runPipeline('samegoal-delivery', { batch });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const dir = (run.output as Delivery).remoteDir;
    expect(readFileSync(join(env.samegoal.root!, dir, 'students.csv'), 'utf-8')).toBe(good['students.csv']);
    expect(env.samegoal.transfer.calls.filter((c) => c === 'StartFileTransfer').length).toBeGreaterThanOrEqual(3);
  });

  it('fails on wrong credentials, naming the secret and not the password, and leaves nothing', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    env.secrets.set(SAMEGOAL_SECRET_ID, { Username: SFTP_SANDBOX_USER, Password: 'fake-wrong-sftp-password' });
    const before = completeDirs().length;
    const run = await runPipeline('samegoal-delivery', { batch });
    env.secrets.set(SAMEGOAL_SECRET_ID, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD });
    expect(run.error).toBe('SameGoal.LoginFailed');
    expect(run.cause).toContain(`refused the login of '${SFTP_SANDBOX_USER}' (secret '${SAMEGOAL_SECRET_ID}')`);
    expect(run.cause).not.toContain('fake-wrong-sftp-password');
    expect(completeDirs().length).toBe(before);
  });

  it('refuses a server whose host key changed, loudly, before sending anything', async () => {
    const batch = await nextBatch();
    await putBatch(env.s3, env.bucket, batch, good, 'samegoal');
    // The same address and files, another host key: what a man in the middle, or an unannounced rebuild, looks like.
    const port = env.samegoal.sftp!.port;
    await env.samegoal.sftp!.stop();
    const impostor = new SftpSandbox({ root: env.samegoal.root!, port, hostKey: generateEd25519().private });
    await impostor.start();
    try {
      const run = await runPipeline('samegoal-delivery', { batch });
      expect(run.error).toBe('SameGoal.HostKeyMismatch');
      expect(run.cause).toMatch(/offered host key SHA256:\S+, which is not a trusted host key \(trusted: SHA256:\S+\)\. Nothing was sent/);
      expect(impostor.ops).toEqual([]);
    } finally {
      await impostor.stop();
    }
  });
});

