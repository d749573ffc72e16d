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
    const connecting = client.connect({
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
    // ssh2 writes each packet in three pieces (length, ciphertext, tag). With Nagle's algorithm
    // on, the second piece waits for the server to acknowledge the first, which Linux delays by
    // up to 40 ms: that was 250 of the 350 ms a login took against OpenSSH on loopback. ssh2
    // makes its socket inside connect(), before anything is sent.
    (client as unknown as { client: { setNoDelay(noDelay: boolean): void } }).client.setNoDelay(true);
    await connecting;
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
  _sock?: {
    cork(): void;
    uncork(): void;
    prependListener(e: 'data', cb: () => void): void;
    on(e: 'data', cb: () => void): void;
    removeListener(e: 'data', cb: () => void): void;
  };
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
 * at `inFlight` × 32 KiB in flight (2 MiB by default) plus one write being put together.
 *
 * Cheap per byte, because the pipeline runs it for every byte it delivers:
 * - writes as large as the server takes (see below), so it answers once per 224 KiB;
 * - the writes of one source chunk go out corked, and so do those ssh2 sends when a window
 *   adjustment arrives: ssh2 writes each packet to the socket in three pieces (length,
 *   ciphertext, tag), so uncorked that is three system calls per packet;
 * - writes are counted with callbacks and the loop waits only when the window is full, until
 *   half of it has been answered: no promise per write. With the X-Ray SDK's async hooks on
 *   (Tracer, in every Lambda), each promise costs a hook call and a weak reference to collect.
 */
export async function putStream(client: SftpClient, source: AsyncIterable<Uint8Array>, remotePath: string, inFlight = 64): Promise<number> {
  const inner = client as unknown as {
    sftp: SftpWrapperLike;
    client?: { once(e: 'close', cb: () => void): void; removeListener(e: 'close', cb: () => void): void };
  };
  const sftp = inner.sftp;
  const ssh = inner.client as Ssh2Internals | undefined;
  const sock = ssh?._sock;
  let corked = false;
  const cork = () => {
    if (!corked && sock) {
      useKeyObjects(ssh);
      sock.cork();
      corked = true;
    }
  };
  // Before any wait: a write still corked would never be answered.
  const flush = () => {
    if (corked) {
      corked = false;
      sock!.uncork();
    }
  };

  // The writes ssh2 makes while it reads the server's answers (those a window adjustment lets
  // go, which it holds while the window is shut) go out corked too: uncorked, each packet is
  // three system calls and, with no Nagle delay, three TCP segments.
  const corkWhileReading = () => sock!.cork();
  const uncorkAfterReading = () => sock!.uncork();
  sock?.prependListener('data', corkWhileReading);
  sock?.on('data', uncorkAfterReading);

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
    // Each write as large as the server takes, cut to fill whole SSH channel packets: a write
    // plus its SFTP header one byte past a packet boundary spills into a packet of its own, and
    // every packet costs a full encryption. Against OpenSSH (its limits@openssh.com extension:
    // 255 KiB writes) that is 7 packets a write, as OpenSSH's own sftp writes, so the server
    // answers and writes to disk once per 224 KiB instead of once per 32 KiB. A server that
    // takes less (31,952 bytes unless it says otherwise) gets writes of that size: ssh2 would
    // split a longer one into two requests, sent one after the other.
    const wrapper = sftp as unknown as { outgoing?: { packetSize?: number }; _maxWriteLen?: number };
    const packet = wrapper.outgoing?.packetSize ?? 32 * 1024;
    const header = 25 + h.length;
    const largest = wrapper._maxWriteLen ?? packet - header;
    const PIECE = Math.min(Math.max(1, Math.floor((largest + header) / packet)) * packet - header, largest);
    // Bytes in flight as OpenSSH's sftp keeps them (64 requests of 32 KiB), whatever the write size.
    const limit = Math.max(2, Math.round((inFlight * 32 * 1024) / PIECE));
    const lowWater = Math.floor(limit / 2);
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
    const full = () => unanswered >= limit || failure !== undefined;
    // Source chunks (64 KiB from S3) seldom divide into pieces: a piece that spans chunks is put
    // together in one buffer, used again for every such piece. ssh2 copies a write's bytes into
    // its packet before write() returns (a write no longer than _maxWriteLen, as every piece
    // is: a longer one it would read again later). On Node 24 every 64 MB of buffers allocated
    // costs a full garbage collection, as long as the whole heap; a fresh buffer per piece took
    // 42 of them per 400 MiB in a Lambda bundle, this one buffer 31.
    const assembly = Buffer.allocUnsafe(PIECE);
    let have = 0;
    for await (const chunk of source) {
      let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      while (have + buf.length >= PIECE) {
        const need = PIECE - have;
        let piece: Buffer;
        if (have === 0) piece = buf.subarray(0, need);
        else {
          buf.copy(assembly, have, 0, need);
          piece = assembly;
          have = 0;
        }
        if (full()) await answered(lowWater);
        send(piece);
        buf = buf.subarray(need);
      }
      if (buf.length > 0) have += buf.copy(assembly, have);
      flush();
    }
    if (have > 0) {
      if (full()) await answered(lowWater);
      send(assembly.subarray(0, have));
    }
    await answered(0);
  } finally {
    flush();
    sock?.removeListener('data', corkWhileReading);
    sock?.removeListener('data', uncorkAfterReading);
    inner.client?.removeListener('close', onClosed);
    if (handle && !failure) await new Promise<void>((resolve) => sftp.close(handle!, () => resolve()));
  }
  return position;
}
