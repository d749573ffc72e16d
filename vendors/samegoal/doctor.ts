import type { CheckLine, DoctorCheck } from '../../lambdas/connector.js';
import { connectSftp } from './sftp.js';

/** SFTP login with the pinned host key, and the upload directory writable (a directory without COMPLETE is never processed). */
export const check: DoctorCheck = async (settings, secret, { secretId, now }) => {
  const s = settings as { sftpUrl: string; trustedHostKeys: string[]; uploadDir: string };
  const lines: CheckLine[] = [];
  let sftp;
  try {
    sftp = await connectSftp(s.sftpUrl, { Username: secret.Username!, ...(secret.PrivateKey ? { PrivateKey: secret.PrivateKey } : { Password: secret.Password }) }, s.trustedHostKeys, secretId);
  } catch (error) {
    return [{ connection: 'samegoal', check: 'auth', verdict: 'failure', detail: (error as Error).message }];
  }
  lines.push({ connection: 'samegoal', check: 'auth', verdict: 'ok', detail: `logged in to ${s.sftpUrl} as ${secret.Username}; host key matches the pinned one` });
  try {
    const probe = `${s.uploadDir}/.etl-doctor-${now}`;
    await sftp.mkdir(probe);
    await sftp.rmdir(probe);
    lines.push({ connection: 'samegoal', check: 'upload', verdict: 'ok', detail: `${s.uploadDir} is writable` });
  } catch (error) {
    lines.push({ connection: 'samegoal', check: 'upload', verdict: 'failure', detail: `${s.uploadDir} is not writable (${(error as Error).message}): ask SameGoal to check the account's upload directory` });
  } finally {
    await sftp.end().catch(() => undefined);
  }
  return lines;
};
