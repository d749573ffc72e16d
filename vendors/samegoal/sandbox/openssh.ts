import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A real OpenSSH sshd on loopback, with its own config, host key and chrooted SFTP-only user,
 * the way SameGoal-like servers are set up. Needs root and Debian's openssh-server (.ci/run
 * installs it). The chroot must be root-owned all the way up, so it lives under /srv, not /tmp.
 */
export interface OpenSsh {
  url: string;
  port: number;
  user: string;
  privateKey: string;
  /** The same key as a file, for OpenSSH's own clients (sftp -i). */
  privateKeyPath: string;
  hostPublicKey: string;
  /** The chroot on disk: remote /upload is <root>/upload. */
  root: string;
  logFile: string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const USER = 'etlhubsftp';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startOpenSsh(): Promise<OpenSsh> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install Debian's openssh-server (apt-get install -y openssh-server), as .ci/run does`);
  if (process.getuid?.() !== 0) throw new Error('The OpenSSH lane starts sshd and adds a user: run it as root (CI does)');
  const base = `/srv/etl-hub-openssh-${process.pid}`;
  const conf = `${base}-conf`;
  const root = `${base}-chroot`;
  for (const dir of [conf, root]) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
  }
  try {
    execFileSync('id', [USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  }
  // "*": no password, but not a locked account, which sshd would refuse.
  execFileSync('usermod', ['-p', '*', USER]);
  const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
  mkdirSync(join(root, 'upload'));
  chownSync(join(root, 'upload'), uid, gid);

  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(conf, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(conf, 'user_key')]);
  writeFileSync(join(conf, 'authorized_keys'), readFileSync(join(conf, 'user_key.pub')));
  chmodSync(join(conf, 'authorized_keys'), 0o644);
  const port = await freePort();
  const logFile = join(conf, 'sshd.log');
  writeFileSync(
    join(conf, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(conf, 'host_key')}`,
      `PidFile ${join(conf, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(conf, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'PermitRootLogin no',
      `AllowUsers ${USER}`,
      'LogLevel INFO',
      'Subsystem sftp internal-sftp -l INFO',
      `Match User ${USER}`,
      `  ChrootDirectory ${root}`,
      '  ForceCommand internal-sftp -l INFO',
      '  AllowTcpForwarding no',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(conf, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    log.push(d.toString());
    writeFileSync(logFile, log.join(''));
  });
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log.join('')}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) break;
    await sleep(50);
  }
  const [type, key] = readFileSync(join(conf, 'host_key.pub'), 'utf-8').trim().split(/\s+/);
  return {
    url: `sftp://127.0.0.1:${port}`,
    port,
    user: USER,
    privateKey: readFileSync(join(conf, 'user_key'), 'utf-8'),
    privateKeyPath: join(conf, 'user_key'),
    hostPublicKey: `${type} ${key}`,
    root,
    logFile,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
      rmSync(conf, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    },
  };
}
