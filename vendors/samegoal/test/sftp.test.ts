import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519 } from '../sandbox/keys.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Socket } from 'node:net';
import { KeyObject } from 'node:crypto';
import { connectSftp, putStream } from '../sftp.js';
import { SFTP_SANDBOX_PASSWORD, SFTP_SANDBOX_USER, SftpSandbox } from '../sandbox/sftp-server.js';

const userKey = generateEd25519();
const root = mkdtempSync(join(tmpdir(), 'sftp-sandbox-'));
const server = new SftpSandbox({ root, publicKey: userKey.public });

beforeAll(() => server.start());
afterAll(() => server.stop());

describe('SFTP sandbox and our pinned-host-key client', () => {
  it('logs in with a password or a private key, makes a directory, writes and stats a file', async () => {
    for (const secret of [{ Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD }, { Username: SFTP_SANDBOX_USER, PrivateKey: userKey.private }]) {
      const sftp = await connectSftp(server.url, secret, [server.hostPublicKey], 'etl/samegoal');
      const dir = `/upload/test-${secret.Password ? 'pw' : 'key'}`;
      await sftp.mkdir(dir);
      await sftp.put(Buffer.from('Student Id\n1\n'), `${dir}/students.csv`);
      expect((await sftp.stat(`${dir}/students.csv`)).size).toBe(13);
      await sftp.end();
      expect(readFileSync(join(root, dir, 'students.csv'), 'utf-8')).toBe('Student Id\n1\n');
    }
    expect(server.ops.filter((o) => o.op === 'close-write').map((o) => [o.path, o.bytes])).toEqual([
      ['/upload/test-pw/students.csv', 13],
      ['/upload/test-key/students.csv', 13],
    ]);
  });

  it('refuses a server whose host key is not the pinned one, naming both fingerprints', async () => {
    const other = generateEd25519();
    const error = await connectSftp(server.url, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD }, [other.public], 'etl/samegoal').catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'SameGoal.HostKeyMismatch' });
    expect((error as Error).message).toMatch(/offered host key SHA256:\S+, which is not a trusted host key \(trusted: SHA256:\S+\)\. Nothing was sent/);
  });

  it('says the login was refused, naming the secret but not the password', async () => {
    const error = await connectSftp(server.url, { Username: SFTP_SANDBOX_USER, Password: 'fake-wrong-password' }, [server.hostPublicKey], 'etl/samegoal').catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'SameGoal.LoginFailed' });
    expect((error as Error).message).toContain("refused the login of 'district-upload' (secret 'etl/samegoal'): check Username and Password");
    expect((error as Error).message).toContain('until its primary email holder accepts the terms of service');
    expect((error as Error).message).not.toContain('fake-wrong-password');
  });

  it('streams a file with many writes in flight: every byte in place, every write but the last a full packet', async () => {
    const sftp = await connectSftp(server.url, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD }, [server.hostPublicKey], 'etl/samegoal');
    const bytes = Buffer.alloc(5 * 1024 * 1024 + 12_345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    // Chunks of odd sizes, as a network stream hands them over.
    const chunks = async function* () {
      for (let at = 0, n = 1; at < bytes.length; at += n, n = (n * 31 + 17) % 100_000 + 1) yield bytes.subarray(at, at + n);
    };
    expect(await putStream(sftp, chunks(), '/upload/streamed.csv', 8)).toBe(bytes.length);
    // ssh2 without its native binding makes a cipher per packet; ours hands it key objects (Node 24 is ten times slower from raw key bytes).
    const ssh = (sftp as unknown as { client: { _protocol: { _cipher: Record<string, unknown> } } }).client._protocol._cipher;
    if (ssh.constructor.name === 'AESGCMCipherNative') expect(ssh._encKey).toBeInstanceOf(KeyObject);
    else expect(ssh.constructor.name).toBe('AESGCMCipherBinding');
    await sftp.end();
    expect(readFileSync(join(root, 'upload', 'streamed.csv')).equals(bytes)).toBe(true);
    const writes = server.writeSizes.get('/upload/streamed.csv')!;
    expect(writes.length).toBeGreaterThan(100);
    expect(new Set(writes.slice(0, -1)).size).toBe(1);
    expect(writes.reduce((a, b) => a + b, 0)).toBe(bytes.length);
  });

  it('writes as much as a server that takes large writes takes, each filling whole SSH packets', async () => {
    const big = new SftpSandbox({ root: mkdtempSync(join(tmpdir(), 'sftp-sandbox-')), ident: 'OpenSSH_9.2p1' });
    await big.start();
    try {
      const sftp = await connectSftp(big.url, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD }, [big.hostPublicKey], 'etl/samegoal');
      const bytes = Buffer.alloc(3 * 1024 * 1024 + 777, 'abcdefghi,\n');
      const chunks = async function* () {
        for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
      };
      expect(await putStream(sftp, chunks(), '/upload/large-writes.csv')).toBe(bytes.length);
      await sftp.end();
      expect(readFileSync(join(big.options.root, 'upload', 'large-writes.csv')).equals(bytes)).toBe(true);
      const writes = big.writeSizes.get('/upload/large-writes.csv')!;
      expect(new Set(writes.slice(0, -1)).size).toBe(1);
      // Seven packets of 32 KiB less the write's own header (25 bytes and the handle).
      expect(writes[0]).toBeGreaterThan(7 * 32_768 - 64);
      expect(writes[0]).toBeLessThan(7 * 32_768 - 25);
      expect(writes.reduce((a, b) => a + b, 0)).toBe(bytes.length);
    } finally {
      await big.stop();
    }
  });

  it('turns off Nagle\'s algorithm before the first byte of the login is sent', async () => {
    // ssh2 writes a packet in three pieces; with Nagle's algorithm each round trip of the login waits for a delayed ACK.
    const port = Number(new URL(server.url).port);
    const realNoDelay = Socket.prototype.setNoDelay;
    const realWrite = Socket.prototype.write;
    const calls: string[] = [];
    vi.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (this: Socket, noDelay?: boolean) {
      calls.push(`setNoDelay(${String(noDelay)})`);
      return realNoDelay.call(this, noDelay);
    });
    vi.spyOn(Socket.prototype, 'write').mockImplementation(function (this: Socket, ...args: unknown[]) {
      // Only our client's socket: the sandbox's sockets in this process write too.
      if (this.remotePort === port && calls.at(-1) !== 'write') calls.push('write');
      return (realWrite as (...a: unknown[]) => boolean).apply(this, args);
    });
    try {
      const sftp = await connectSftp(server.url, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD }, [server.hostPublicKey], 'etl/samegoal');
      await sftp.end();
    } finally {
      vi.restoreAllMocks();
    }
    expect(calls.slice(0, 2)).toEqual(['setNoDelay(true)', 'write']);
  });

  it('fails a streamed file when the server drops the connection, with writes still in flight', async () => {
    server.dropConnection(/dropped\.csv$/, 300_000);
    const sftp = await connectSftp(server.url, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD }, [server.hostPublicKey], 'etl/samegoal');
    const chunks = async function* () {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, 98);
    };
    const error = await putStream(sftp, chunks(), '/upload/dropped.csv').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/closed while writing \/upload\/dropped\.csv|No response from server|Not connected/);
    await sftp.end().catch(() => undefined);
  });

  it('can drop the connection in the middle of a file', async () => {
    server.dropConnection(/big\.csv$/, 40_000);
    const sftp = await connectSftp(server.url, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD }, [server.hostPublicKey], 'etl/samegoal');
    const error = await sftp.put(Buffer.alloc(200_000, 97), '/upload/big.csv').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    await sftp.end().catch(() => undefined);
  });
});
