import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
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

/** The parts of ssh2's Client that the fast path below reaches into (ssh2 1.17, pinned). */
interface Ssh2Internals {
  _sock?: { cork(): void; uncork(): void };
  _protocol?: { _cipher?: Record<string, unknown>; _decipher?: Record<string, unknown> };
}

/**
 * ssh2's AES-GCM without its native binding (a Lambda bundle has none) makes a cipher per
 * packet from the raw key bytes. Node 24 turns raw key bytes into a key object on every call:
 * 17.8 µs a cipher against 1.7 µs from a key object made once (Node 20: 2.7 µs either way),
 * measured on this project's bench machine. Handing ssh2 key objects instead of the bytes
 * gives the same ciphers, made ten times faster. Checked before every write, since a rekey
 * brings new ciphers; a cipher of another shape is left as it is.
 */
function useKeyObjects(client: Ssh2Internals | undefined): void {
  const protocol = client?._protocol;
  for (const [cipher, field] of [[protocol?._cipher, '_encKey'], [protocol?._decipher, '_decipherKey']] as const) {
    const key = cipher?.[field];
    if (Buffer.isBuffer(key)) cipher![field] = createSecretKey(key) satisfies KeyObject;
  }
}

/**
 * Streams bytes into a remote file with many writes in flight, as OpenSSH's sftp does: a
 * stream piped one write at a time waits a round trip per 32 KiB and crawls. Memory stays
 * at `inFlight` × 32 KiB plus one source chunk.
 *
 * Cheap per 32 KiB, because the pipeline runs it for every byte it delivers:
 * - the writes of one source chunk go out corked: ssh2 writes each packet to the socket in
 *   three pieces (length, ciphertext, tag), so uncorked that is three system calls per write;
 * - writes are counted with callbacks and the loop waits only when the window is full, until
 *   half of it has been answered: no promise per write. With the X-Ray SDK's async hooks on
 *   (Tracer, in every Lambda), each promise costs a hook call and a weak reference to collect.
 */
export async function putStream(client: SftpClient, source: AsyncIterable<Uint8Array>, remotePath: string, inFlight = 64): Promise<number> {
  const inner = client as unknown as {
    sftp: SftpWrapperLike;
    client?: { setNoDelay?: (v: boolean) => void; once(e: 'close', cb: () => void): void; removeListener(e: 'close', cb: () => void): void };
  };
  inner.client?.setNoDelay?.(true);
  const sftp = inner.sftp;
  const ssh = inner.client as Ssh2Internals | undefined;
  let corked = false;
  const cork = () => {
    if (!corked && ssh?._sock) {
      useKeyObjects(ssh);
      ssh._sock.cork();
      corked = true;
    }
  };
  // Before any wait: a write still corked would never be answered.
  const flush = () => {
    if (corked) {
      corked = false;
      ssh!._sock!.uncork();
    }
  };

  let failure: unknown;
  let unanswered = 0;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Writes in flight when the server drops the connection never get an answer: the close fails them all.
  const onClosed = () => {
    failure ??= new Error(`The SFTP connection closed while writing ${remotePath}`);
    wakeUp();
  };
  inner.client?.once('close', onClosed);
  /** Resolves once at most `limit` writes are unanswered, or throws the first failure. */
  const answered = async (limit: number) => {
    flush();
    while (unanswered > limit && !failure) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
  };

  let handle: Buffer | undefined;
  let position = 0;
  try {
    handle = await new Promise<Buffer>((resolve, reject) => {
      wake = () => reject(failure);
      sftp.open(remotePath, 'w', (err, h) => {
        wake = undefined;
        if (err) reject(err);
        else resolve(h);
      });
    });
    const h = handle;
    // One write request per SSH channel packet: a 32 KiB write plus its SFTP header would spill a
    // few dozen bytes into a second packet, and every packet costs a full encryption.
    // ssh2 also splits a write longer than the server's largest (31,952 bytes unless the server
    // says otherwise, as OpenSSH does): a piece of that size would go out as two requests.
    const wrapper = sftp as unknown as { outgoing?: { packetSize?: number }; _maxWriteLen?: number };
    const PIECE = Math.min((wrapper.outgoing?.packetSize ?? 32 * 1024) - 25 - h.length, wrapper._maxWriteLen ?? Infinity);
    const lowWater = Math.floor(inFlight / 2);
    const onWritten = (err?: Error) => {
      unanswered--;
      if (err) failure ??= err;
      if (failure || unanswered <= lowWater) wakeUp();
    };
    /** Call only when `full()` is false. */
    const send = (piece: Buffer) => {
      const at = position;
      position += piece.length;
      unanswered++;
      cork();
      sftp.write(h, piece, 0, piece.length, at, onWritten);
    };
    const full = () => unanswered >= inFlight || failure !== undefined;
    // Source chunks (64 KiB from S3) seldom divide into pieces: the rest of one is carried into the next, so every write but the last is full.
    let carry: Buffer | undefined;
    for await (const chunk of source) {
      let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (carry) {
        const need = PIECE - carry.length;
        if (buf.length < need) {
          carry = Buffer.concat([carry, buf]);
          continue;
        }
        if (full()) await answered(lowWater);
        send(Buffer.concat([carry, buf.subarray(0, need)]));
        buf = buf.subarray(need);
        carry = undefined;
      }
      let off = 0;
      for (; off + PIECE <= buf.length; off += PIECE) {
        if (full()) await answered(lowWater);
        send(buf.subarray(off, off + PIECE));
      }
      // A copy: the source may reuse its buffer once this chunk is consumed.
      if (off < buf.length) carry = Buffer.from(buf.subarray(off));
      flush();
    }
    if (carry) {
      if (full()) await answered(lowWater);
      send(carry);
    }
    await answered(0);
  } finally {
    flush();
    inner.client?.removeListener('close', onClosed);
    if (handle && !failure) await new Promise<void>((resolve) => sftp.close(handle!, () => resolve()));
  }
  return position;
}
