import { createHash } from 'node:crypto';
import SftpClient from 'ssh2-sftp-client';
import { EtlError } from '../../lambdas/errors.js';

/** The connector's own secret format, so one secret serves the connector and our Lambda. */
export interface SftpSecret {
  Username: string;
  PrivateKey?: string;
  Password?: string;
}

export class HostKeyMismatchError extends EtlError {
  constructor(message: string) {
    super('SameGoal.HostKeyMismatch', message);
  }
}

export class SftpLoginError extends EtlError {
  constructor(message: string) {
    super('SameGoal.LoginFailed', message);
  }
}

const fingerprint = (blob: Buffer) => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

/** The key blobs of trusted host key lines ("ssh-ed25519 AAAA… [comment]"), as the Transfer connector takes them. */
export function hostKeyBlobs(trusted: string[]): Buffer[] {
  return trusted.map((line) => {
    const b64 = line.trim().split(/\s+/)[1];
    if (!b64) throw new EtlError('Etl.InvalidInput', `Trusted host key '${line.slice(0, 40)}…' is not "<type> <base64>"`);
    return Buffer.from(b64, 'base64');
  });
}

/**
 * An SFTP session to sftp://host:port with a pinned host key: a server offering any other key
 * is refused before the credentials are sent, loudly, with both fingerprints.
 */
export async function connectSftp(url: string, secret: SftpSecret, trustedHostKeys: string[], secretId: string): Promise<SftpClient> {
  const u = new URL(url);
  if (u.protocol !== 'sftp:') throw new EtlError('Etl.InvalidInput', `The SFTP URL must start with sftp://, got '${url}'`);
  const trusted = hostKeyBlobs(trustedHostKeys);
  if (trusted.length === 0) throw new EtlError('Etl.InvalidInput', 'No trusted host key is configured; refusing to connect to an unverified server');
  let offered: Buffer | undefined;
  const client = new SftpClient('samegoal');
  try {
    await client.connect({
      host: u.hostname,
      port: Number(u.port || 22),
      username: secret.Username,
      ...(secret.PrivateKey ? { privateKey: secret.PrivateKey } : { password: secret.Password }),
      readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => {
        offered = key;
        return trusted.some((t) => t.equals(key));
      },
    });
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    const message = (error as Error).message;
    if (offered && !trusted.some((t) => t.equals(offered!))) {
      throw new HostKeyMismatchError(
        `The SFTP server at ${u.host} offered host key ${fingerprint(offered)}, which is not a trusted host key ` +
          `(trusted: ${trusted.map(fingerprint).join(', ')}). Nothing was sent. If SameGoal changed its key, confirm the new one with SameGoal before trusting it.`,
      );
    }
    if (/authentication/i.test(message)) {
      throw new SftpLoginError(
        `The SFTP server at ${u.host} refused the login of '${secret.Username}' (secret '${secretId}'): check Username and ${secret.PrivateKey ? 'PrivateKey' : 'Password'}. ` +
          "SameGoal also keeps a new data import/export disabled until its primary email holder accepts the terms of service: see Settings > Data Imports/Exports in SameGoal (TOS status shown inline; 'Resend TOS email' sends it again).",
      );
    }
    throw new EtlError('Etl.Transient', `Could not open an SFTP session to ${u.host}: ${message}`);
  }
}

interface SftpWrapperLike {
  open(path: string, flags: string, cb: (err: Error | undefined, handle: Buffer) => void): void;
  write(handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, cb: (err?: Error) => void): void;
  close(handle: Buffer, cb: (err?: Error) => void): void;
}

/**
 * Streams bytes into a remote file with many writes in flight, as OpenSSH's sftp does: a
 * stream piped one write at a time waits a round trip per 32 KiB and crawls. Memory stays
 * at `inFlight` × 32 KiB plus one source chunk.
 */
export async function putStream(client: SftpClient, source: AsyncIterable<Uint8Array>, remotePath: string, inFlight = 64): Promise<number> {
  const inner = client as unknown as {
    sftp: SftpWrapperLike;
    client?: { setNoDelay?: (v: boolean) => void; once(e: 'close', cb: () => void): void; removeListener(e: 'close', cb: () => void): void };
  };
  inner.client?.setNoDelay?.(true);
  const sftp = inner.sftp;
  // Writes in flight when the server drops the connection never get an answer: the close fails them all.
  let failure: unknown;
  let onClosed!: () => void;
  const closed = new Promise<never>((_, reject) => {
    onClosed = () => {
      failure ??= new Error(`The SFTP connection closed while writing ${remotePath}`);
      reject(failure);
    };
    inner.client?.once('close', onClosed);
  });
  closed.catch(() => undefined);
  const handle = await Promise.race([new Promise<Buffer>((resolve, reject) => sftp.open(remotePath, 'w', (err, h) => (err ? reject(err) : resolve(h)))), closed]);
  const pending = new Set<Promise<void>>();
  let position = 0;
  // One write request per SSH channel packet: a 32 KiB write plus its SFTP header would spill a
  // few dozen bytes into a second packet, and every packet costs a full encryption.
  const packetSize = (sftp as unknown as { outgoing?: { packetSize?: number } }).outgoing?.packetSize ?? 32 * 1024;
  const PIECE = packetSize - 25 - handle.length;
  const send = async (piece: Buffer) => {
    const at = position;
    position += piece.length;
    const p: Promise<void> = new Promise<void>((resolve, reject) => sftp.write(handle, piece, 0, piece.length, at, (err) => (err ? reject(err) : resolve())))
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= inFlight) await Promise.race([Promise.race(pending), closed]);
    if (failure) throw failure;
  };
  // Source chunks (64 KiB from S3) seldom divide into pieces: the rest of one is carried into the next, so every write but the last is full.
  let carry: Buffer | undefined;
  try {
    for await (const chunk of source) {
      let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (carry) {
        const need = PIECE - carry.length;
        if (buf.length < need) {
          carry = Buffer.concat([carry, buf]);
          continue;
        }
        await send(Buffer.concat([carry, buf.subarray(0, need)]));
        buf = buf.subarray(need);
        carry = undefined;
      }
      let off = 0;
      for (; off + PIECE <= buf.length; off += PIECE) await send(buf.subarray(off, off + PIECE));
      // A copy: the source may reuse its buffer once this chunk is consumed.
      if (off < buf.length) carry = Buffer.from(buf.subarray(off));
    }
    if (carry) await send(carry);
    await Promise.race([Promise.all(pending), closed]);
    if (failure) throw failure;
  } finally {
    inner.client?.removeListener('close', onClosed);
    if (!failure) await new Promise<void>((resolve) => sftp.close(handle, () => resolve()));
  }
  return position;
}
