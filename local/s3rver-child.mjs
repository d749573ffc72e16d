// Runs s3rver in its own process, started with --openssl-legacy-provider (without it any
// truncated ListObjectsV2 answers 500). Prints {"port": N} once listening; exits with its parent.
import S3rver from 's3rver';

const [directory, address = '127.0.0.1', port = '0'] = process.argv.slice(2);
const server = new S3rver({ directory, address, port: Number(port), silent: true, allowMismatchedSignatures: true });
const info = await server.run();
process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
process.on('disconnect', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
