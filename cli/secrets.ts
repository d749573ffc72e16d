import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { didYouMean } from '../lambdas/closest.js';
import type { Connector } from '../lambdas/connector.js';
import { registerSecret } from '../lambdas/redact.js';
import { ROOT } from '../local/paths.js';
import { VENDORS } from '../vendors/index.js';
import { UsageError } from './usage.js';

export const SECRETS_USAGE = `etl secrets set <connection> [--deploy-config <file>] [--from-file <file.json> | --from-stdin]
      Put a connection's secret into the deployed stack (<stackName>/<secret name> from the
      deployment config, config/example.json by default): asks for each key, without echo for
      the credentials (a value @<path> is read from that file, e.g. a private key), or reads
      one JSON object from a file or standard input. Checks the keys and their shapes first;
      never prints a value. Connections: ${VENDORS.map((v) => v.name).join(', ')}.`;

/** Reads a line from the terminal; with `hidden`, nothing typed is shown. */
async function ask(question: string, hidden: boolean): Promise<string> {
  process.stderr.write(question);
  const stdin = process.stdin;
  if (!hidden) {
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: stdin, terminal: false });
    const line = await new Promise<string>((resolve) => rl.once('line', resolve));
    rl.close();
    return line;
  }
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf-8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            return resolve(value);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            return reject(new UsageError('cancelled; nothing was changed'));
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf-8');
}

function parseObject(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not JSON: ${(error as Error).message.replace(/ in JSON at position.*/, '')}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where} must hold one JSON object of the secret's keys`);
  return value as Record<string, unknown>;
}

/** Asks for each key: the public ones shown as typed, the credentials hidden; @<path> reads a file. */
async function prompt(vendor: Connector): Promise<Record<string, unknown>> {
  const { required, oneOf, optional } = vendor.secret.keys;
  const value: Record<string, string> = {};
  const read = async (key: string, note: string) => {
    const shown = vendor.secret.publicKeys.includes(key) || key === 'expiresOn';
    let answer = (await ask(`${key}${note}: `, !shown)).trim();
    if (answer.startsWith('@')) answer = readFileSync(answer.slice(1).replace(/^~(?=\/)/, homedir()), 'utf-8').trim();
    if (answer) value[key] = answer;
  };
  for (const key of required) await read(key, '');
  for (const key of oneOf) {
    if (oneOf.some((k) => value[k])) break;
    await read(key, ` (or leave empty for ${oneOf.filter((k) => k !== key).join(' or ')})`);
  }
  for (const key of optional) await read(key, ' (optional, Enter to skip)');
  return value;
}

/** `etl secrets set <connection>`: checks a secret's keys and shapes, then puts it; exit 0, 1 (AWS refused) or 2 (bad input). */
export async function runSecretsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'deploy-config': { type: 'string' }, 'from-file': { type: 'string' }, 'from-stdin': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${SECRETS_USAGE}\n`);
    return 0;
  }
  const [action, connection, ...extra] = positionals;
  if (action !== 'set') throw new UsageError(action ? `Unknown secrets action '${action}'${didYouMean(action, ['set'])}` : `etl secrets needs an action:\n${SECRETS_USAGE}`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'`);
  const names = VENDORS.map((v) => v.name);
  const vendor = VENDORS.find((v) => v.name === connection);
  if (!vendor) throw new UsageError(connection ? `Unknown connection '${connection}'${didYouMean(connection, names)} (known: ${names.join(', ')})` : `Which connection? One of ${names.join(', ')}`);

  const { loadDeployConfig, DeployConfigError } = await import('../lib/config.js');
  const configFile = values['deploy-config'] ?? join(ROOT, 'config', 'example.json');
  let stackName: string;
  try {
    const c = loadDeployConfig(configFile);
    if (!c.vendors[vendor.name]?.enabled) throw new UsageError(`${configFile}: ${vendor.name} is not enabled, so the stack has no secret for it`);
    stackName = c.stackName;
  } catch (error) {
    if (error instanceof DeployConfigError) throw new UsageError(error.message);
    throw error;
  }
  const secretId = `${stackName}/${vendor.secret.name}`;

  let value: Record<string, unknown>;
  if (values['from-file']) value = parseObject(readFileSync(values['from-file'], 'utf-8'), values['from-file']);
  else if (values['from-stdin'] || !process.stdin.isTTY) value = parseObject(await readAll(process.stdin), 'standard input');
  else value = await prompt(vendor);
  // Whatever happens next, no output shows these values.
  for (const [k, v] of Object.entries(value)) if (!vendor.secret.publicKeys.includes(k)) registerSecret(v);

  const { required, oneOf, optional } = vendor.secret.keys;
  const known = [...required, ...oneOf, ...optional];
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new UsageError(`The ${vendor.name} secret has no key '${unknown[0]}'${didYouMean(unknown[0]!, known)} (keys: ${known.join(', ')}); nothing was changed`);
  const { secretLine } = await import('../doctor/checks.js');
  const verdict = secretLine(vendor, secretId, value);
  if (verdict.verdict !== 'ok') throw new UsageError(`${verdict.detail}; nothing was changed`);

  const client = new SecretsManagerClient({});
  try {
    const res = await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }));
    process.stdout.write(`secret '${secretId}' set with ${Object.keys(value).join(', ')} (version ${res.VersionId ?? 'new'}); check the connection with: etl doctor --deploy-config ${configFile}\n`);
    return 0;
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const why =
      name === 'ResourceNotFoundException'
        ? `does not exist: deploy the stack first (npx cdk deploy -c config=${configFile}), which creates it`
        : `could not be set (${name}: ${(error as Error).message})`;
    process.stderr.write(`etl: secret '${secretId}' ${why}; nothing was changed\n`);
    return 1;
  } finally {
    client.destroy();
  }
}
