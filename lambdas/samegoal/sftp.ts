import { createHash } from 'node:crypto';
import SftpClient from 'ssh2-sftp-client';
import { EtlError } from '../shared/errors.js';

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
      throw new SftpLoginError(`The SFTP server at ${u.host} refused the login of '${secret.Username}' (secret '${secretId}'): check Username and ${secret.PrivateKey ? 'PrivateKey' : 'Password'}.`);
    }
    throw new EtlError('Etl.Transient', `Could not open an SFTP session to ${u.host}: ${message}`);
  }
}
