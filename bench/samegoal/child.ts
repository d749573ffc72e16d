/**
 * Our SFTP code alone, fed from local disk as OpenSSH's sftp is, in a process of its own and
 * bundled as the Lambdas are: puts the files given into a new remote directory.
 *
 *   --put-from-disk <remote dir> <file>...
 *
 * The server and its trusted key come from the environment the parent set (the SameGoal
 * settings), the login from BENCH_SFTP_SECRET. Prints one JSON line: seconds and peak RSS.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { setLogSink } from '../../lambdas/log.js';
import { peakRssMb } from '../support.js';
import { loadConfig } from '../../vendors/samegoal/config.js';
import { connectSftp, putStream, type SftpSecret } from '../../vendors/samegoal/sftp.js';

const [flag, remoteDir, ...paths] = process.argv.slice(2);
if (flag !== '--put-from-disk' || !remoteDir || paths.length === 0) throw new Error('usage: child --put-from-disk <remote dir> <file>...');
setLogSink(() => undefined);
const config = loadConfig();
const secret = JSON.parse(process.env.BENCH_SFTP_SECRET!) as SftpSecret;
const started = performance.now();
const sftp = await connectSftp(config.sftpUrl, secret, config.trustedHostKeys, config.secretId);
await sftp.mkdir(remoteDir);
for (const path of paths) {
  // Read in the blocks OpenSSH's sftp reads and writes against OpenSSH (255 KiB), so both sides read the disk alike.
  await putStream(sftp, createReadStream(path, { highWaterMark: 255 * 1024 }), `${remoteDir}/${basename(path)}`);
}
await sftp.end();
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssMb: peakRssMb() })}\n`);
process.exit(0);
