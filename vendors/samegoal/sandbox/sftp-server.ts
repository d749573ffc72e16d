import { timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmdirSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import ssh2, { type Connection, type ParsedKey } from 'ssh2';
import { generateEd25519 } from './keys.js';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/**
 * An in-process SFTP server standing in for SameGoal's, over a folder on disk. It checks the
 * user's password or public key, serves a fixed host key (so clients can pin it), logs every
 * write-side operation with a sequence number (so tests can see that COMPLETE came last from
 * the server's side), and can drop the connection in the middle of a file.
 */
export interface SftpSandboxOptions {
  host: string;
  port: number;
  root: string;
  username: string;
  password?: string;
  /** OpenSSH public key line of the user, for publickey authentication. */
  publicKey?: string;
  /** Host private key (OpenSSH format); one is generated when absent. */
  hostKey?: string;
  /**
   * The software part of the server's SSH identification, e.g. 'OpenSSH_9.2p1'. ssh2 (the
   * client) takes a server that calls itself OpenSSH to accept writes of up to 255 KiB, as
   * OpenSSH's sftp-server does, and any other to accept about 31 KiB: this switches which.
   */
  ident?: string;
}

export interface SftpOp {
  seq: number;
  at: number;
  op: 'mkdir' | 'open-write' | 'close-write' | 'rename' | 'remove' | 'rmdir';
  path: string;
  bytes?: number;
}

export const SFTP_SANDBOX_USER = 'district-upload';
export const SFTP_SANDBOX_PASSWORD = 'fake-samegoal-sftp-password-for-local-runs';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function attrsOf(st: Stats) {
  return { mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
}

export class SftpSandbox {
  readonly options: SftpSandboxOptions;
  readonly ops: SftpOp[] = [];
  /** The size of every WRITE request, per remote path, in the order they arrived. */
  readonly writeSizes = new Map<string, number[]>();
  readonly hostPublicKey: string;
  private readonly server: InstanceType<typeof Server>;
  private seq = 0;
  /** Drop the connection once this many bytes of a file whose name matches have been written. */
  private dropRule?: { match: RegExp; afterBytes: number; times: number };
  url = '';

  constructor(options: Partial<SftpSandboxOptions> & { root: string }) {
    const hostKey = options.hostKey ?? generateEd25519().private;
    this.options = { host: '127.0.0.1', port: 0, username: SFTP_SANDBOX_USER, password: SFTP_SANDBOX_PASSWORD, ...options, hostKey };
    const parsed = utils.parseKey(hostKey) as ParsedKey;
    this.hostPublicKey = `${parsed.type} ${parsed.getPublicSSH().toString('base64')}`;
    mkdirSync(join(this.options.root, 'upload'), { recursive: true });
    this.server = new Server({ hostKeys: [hostKey], ...(options.ident ? { ident: options.ident } : {}) }, (client) => this.onClient(client));
  }

  dropConnection(match: RegExp, afterBytes: number, times = 1): void {
    this.dropRule = { match, afterBytes, times };
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      // A port in use is an answer for the caller (etl sandbox then takes any free port), not a crash.
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `sftp://${this.options.host}:${port}`;
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private log(op: SftpOp['op'], path: string, bytes?: number): void {
    this.ops.push({ seq: ++this.seq, at: Date.now(), op, path, ...(bytes === undefined ? {} : { bytes }) });
  }

  /** A client path inside the root; never outside it. */
  private local(path: string): string {
    const clean = normalize(`/${path}`).replace(/\/+$/, '') || '/';
    return join(this.options.root, clean);
  }

  private onClient(client: Connection): void {
    const allowedKey = this.options.publicKey ? (utils.parseKey(this.options.publicKey) as ParsedKey) : undefined;
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (!same(ctx.username, this.options.username)) return ctx.reject();
      if (ctx.method === 'password' && this.options.password && same(ctx.password, this.options.password)) return ctx.accept();
      if (ctx.method === 'publickey' && allowedKey) {
        const matches = ctx.key.algo === allowedKey.type && ctx.key.data.equals(allowedKey.getPublicSSH());
        if (matches && (!ctx.signature || allowedKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo))) return ctx.accept();
      }
      return ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const files = new Map<number, { fd: number; path: string; write: boolean; written: number }>();
          const dirs = new Map<number, { entries: string[]; path: string; done: boolean }>();
          let next = 0;
          const handleOf = (n: number) => {
            const b = Buffer.alloc(4);
            b.writeUInt32BE(n);
            return b;
          };
          const fail = (reqid: number, error: unknown) =>
            sftp.status(reqid, (error as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE, String((error as Error).message));

          sftp.on('OPEN', (reqid, filename, flags) => {
            try {
              const write = Boolean(flags & OPEN_MODE.WRITE);
              let mode = write ? 'w' : 'r';
              if (write && flags & OPEN_MODE.EXCL) mode = 'wx';
              if (write && flags & OPEN_MODE.APPEND) mode = 'a';
              const fd = openSync(this.local(filename), mode);
              const n = ++next;
              files.set(n, { fd, path: filename, write, written: 0 });
              if (write) this.log('open-write', filename);
              sftp.handle(reqid, handleOf(n));
            } catch (error) {
              fail(reqid, error);
            }
          });
          sftp.on('WRITE', (reqid, handle, offset, data) => {
            const f = files.get(handle.readUInt32BE(0));
            if (!f) return sftp.status(reqid, STATUS_CODE.FAILURE);
            const rule = this.dropRule;
            if (rule && rule.times > 0 && rule.match.test(f.path) && f.written + data.length > rule.afterBytes) {
              rule.times--;
              writeSync(f.fd, data.subarray(0, Math.max(0, rule.afterBytes - f.written)), 0, undefined, offset);
              closeSync(f.fd);
              files.delete(handle.readUInt32BE(0));
              client.end();
              return;
            }
            writeSync(f.fd, data, 0, data.length, offset);
            f.written += data.length;
            const sizes = this.writeSizes.get(f.path) ?? [];
            if (sizes.length === 0) this.writeSizes.set(f.path, sizes);
            sizes.push(data.length);
            sftp.status(reqid, STATUS_CODE.OK);
          });
          sftp.on('READ', (reqid, handle, offset, length) => {
            const f = files.get(handle.readUInt32BE(0));
            if (!f) return sftp.status(reqid, STATUS_CODE.FAILURE);
            const buf = Buffer.alloc(length);
            const n = readSync(f.fd, buf, 0, length, offset);
            if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF);
            sftp.data(reqid, buf.subarray(0, n));
          });
          sftp.on('FSTAT', (reqid, handle) => {
            const f = files.get(handle.readUInt32BE(0));
            if (!f) return sftp.status(reqid, STATUS_CODE.FAILURE);
            sftp.attrs(reqid, attrsOf(fstatSync(f.fd)));
          });
          sftp.on('CLOSE', (reqid, handle) => {
            const n = handle.readUInt32BE(0);
            const f = files.get(n);
            if (f) {
              const size = fstatSync(f.fd).size;
              closeSync(f.fd);
              files.delete(n);
              if (f.write) this.log('close-write', f.path, size);
              return sftp.status(reqid, STATUS_CODE.OK);
            }
            if (dirs.delete(n)) return sftp.status(reqid, STATUS_CODE.OK);
            sftp.status(reqid, STATUS_CODE.FAILURE);
          });
          const stat = (reqid: number, path: string) => {
            try {
              sftp.attrs(reqid, attrsOf(statSync(this.local(path))));
            } catch (error) {
              fail(reqid, error);
            }
          };
          sftp.on('STAT', stat);
          sftp.on('LSTAT', stat);
          sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('REALPATH', (reqid, path) => {
            const clean = normalize(`/${path === '.' ? '' : path}`).replace(/\/+$/, '') || '/';
            sftp.name(reqid, [{ filename: clean, longname: clean, attrs: {} as never }]);
          });
          /** A change to the tree: done on disk, logged for the tests, answered OK or with the failure. */
          const change = (reqid: number, op: SftpOp['op'], logged: string, act: () => void) => {
            try {
              act();
              this.log(op, logged);
              sftp.status(reqid, STATUS_CODE.OK);
            } catch (error) {
              fail(reqid, error);
            }
          };
          sftp.on('MKDIR', (reqid, path) => change(reqid, 'mkdir', path, () => mkdirSync(this.local(path))));
          sftp.on('RMDIR', (reqid, path) => change(reqid, 'rmdir', path, () => rmdirSync(this.local(path))));
          sftp.on('REMOVE', (reqid, path) => change(reqid, 'remove', path, () => rmSync(this.local(path))));
          sftp.on('RENAME', (reqid, from, to) => change(reqid, 'rename', `${from} -> ${to}`, () => renameSync(this.local(from), this.local(to))));
          sftp.on('OPENDIR', (reqid, path) => {
            try {
              const entries = readdirSync(this.local(path));
              const n = ++next;
              dirs.set(n, { entries, path, done: false });
              sftp.handle(reqid, handleOf(n));
            } catch (error) {
              fail(reqid, error);
            }
          });
          sftp.on('READDIR', (reqid, handle) => {
            const d = dirs.get(handle.readUInt32BE(0));
            if (!d) return sftp.status(reqid, STATUS_CODE.FAILURE);
            if (d.done) return sftp.status(reqid, STATUS_CODE.EOF);
            d.done = true;
            sftp.name(
              reqid,
              d.entries.map((filename) => {
                const st = statSync(join(this.local(d.path), filename));
                return { filename, longname: `${st.isDirectory() ? 'd' : '-'}rw-r--r-- 1 u g ${st.size} Jan 1 00:00 ${filename}`, attrs: attrsOf(st) };
              }),
            );
          });
        });
      });
    });
  }
}
