import { GetObjectCommand } from '@aws-sdk/client-s3';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { s3 } from '../../lambdas/s3.js';
import type { SameGoalConfig } from './config.js';
import { EpochExistsError, VerifyFailedError, type Delivery } from './delivery.js';
import { connectSftp, putStream, type SftpSecret } from './sftp.js';

/*
 * The steps that log in to the SFTP server themselves. Only the functions that run them
 * bundle ssh2; the connector's functions never load it.
 */

/** A connector cannot create a directory, so the epoch directory is made here over SFTP. */
export async function makeEpochDir(d: Delivery, config: SameGoalConfig, secret: SftpSecret): Promise<Delivery> {
  const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    if (await sftp.exists(d.remoteDir)) {
      // A retry after this run's own mkdir: the epoch was planned before the mkdir, so an empty
      // directory of that name is this run's. One with files in it is not.
      const entries = await sftp.list(d.remoteDir);
      if (entries.length === 0) return { ...d, madeDir: true };
      throw new EpochExistsError(
        `The epoch directory ${d.remoteDir} already exists on the server with ${entries.length} file(s) in it; nothing was sent. Another delivery may be writing into it; run again in a second.`,
      );
    }
    await sftp.mkdir(d.remoteDir);
    return { ...d, madeDir: true };
  } finally {
    await sftp.end().catch(() => undefined);
  }
}

/** Every file on the server, by name and size, before COMPLETE may go; and after, COMPLETE itself. */
export async function verify(d: Delivery, config: SameGoalConfig, secret: SftpSecret, what: 'files' | 'complete'): Promise<Delivery> {
  const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    const listing = new Map((await sftp.list(d.remoteDir)).map((e) => [e.name, e.size]));
    const expected = what === 'files' ? d.files.map((f) => [f.remoteName, f.bytes] as const) : ([['COMPLETE', 0]] as const);
    // In auto mode SameGoal may already have moved a file into an epoch of its own: gone is fine, wrong size is not.
    const mayBeGone = d.mode === 'auto' && what === 'files';
    const wrong = expected
      .filter(([name, size]) => (listing.has(name) ? listing.get(name) !== size : !mayBeGone))
      .map(([name, size]) => `${name}: expected ${size} bytes, server has ${listing.has(name) ? `${listing.get(name)} bytes` : 'no such file'}`);
    if (wrong.length > 0) throw new VerifyFailedError(`Files in ${d.remoteDir} do not match what was sent: ${wrong.join('; ')}`);
    return what === 'complete' ? { ...d, completedAt: new Date().toISOString() } : d;
  } finally {
    await sftp.end().catch(() => undefined);
  }
}

/** Direct transport: the same steps over SFTP from this Lambda, for accounts without a connector. */
export async function deliverDirect(d: Delivery, config: SameGoalConfig, secret: SftpSecret): Promise<Delivery> {
  const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    for (const f of d.files) {
      const [, bucket, ...key] = f.s3Path.split('/');
      const body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }))).Body as Readable;
      await putStream(sftp, body, posix.join(d.remoteDir, f.remoteName));
    }
  } finally {
    await sftp.end().catch(() => undefined);
  }
  await verify(d, config, secret, 'files');
  if (d.mode === 'auto') return { ...d, completedAt: new Date().toISOString() };
  const again = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
  try {
    await again.put(Buffer.alloc(0), posix.join(d.remoteDir, 'COMPLETE'));
  } finally {
    await again.end().catch(() => undefined);
  }
  return verify(d, config, secret, 'complete');
}

/** After a failure: what is on the server in the run's directory, so the message can say what was left. */
export async function describeLeftovers(d: Delivery | undefined, config: SameGoalConfig, secret: SftpSecret): Promise<string> {
  if (!d?.epoch) return 'Nothing was written to the server in an epoch directory.';
  if (!d.madeDir) return `This run made no epoch directory (${d.remoteDir}), so it left nothing on the server.`;
  try {
    const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
    try {
      if (!(await sftp.exists(d.remoteDir))) return `No epoch directory was created (${d.remoteDir}); nothing was left on the server.`;
      const entries = await sftp.list(d.remoteDir);
      const names = entries.map((e) => `${e.name} (${e.size} bytes)`);
      if (entries.some((e) => e.name === 'COMPLETE')) {
        return `COMPLETE is on the server in ${d.remoteDir}, so SameGoal may process it; it holds: ${names.join(', ')}.`;
      }
      return `Left on the server in ${d.remoteDir}, with no COMPLETE, so SameGoal will not process it: ${names.length ? names.join(', ') : 'nothing (an empty directory)'}.`;
    } finally {
      await sftp.end().catch(() => undefined);
    }
  } catch (error) {
    return `Could not list ${d.remoteDir} to say what was left (${(error as Error).message}); COMPLETE was not sent.`;
  }
}
