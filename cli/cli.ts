import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setLogSink } from '../lambdas/log.js';
import { scrub } from '../lambdas/redact.js';
import { didYouMean } from '../lambdas/closest.js';
import { plural } from '../lambdas/format.js';
import { PIPELINES, VENDORS } from '../vendors/index.js';
import { ConfigError, loadConfigFile, localVendors } from '../local/config.js';
import { startLocalEnvironment } from '../local/environment.js';
import { ROOT, runPipeline, type CodeSource } from '../local/runner.js';
import { SECRETS_USAGE } from './secrets.js';
import { progressLine, RetryTally } from './progress.js';
import { UsageError } from './usage.js';

const USAGE = `etl — the school ETL hub's command line

Usage:
  etl local <pipeline> [--input '<json>'] [--config <file>] [--json] [--bundled [--assembly <dir>]]
      Run a pipeline's state machine locally, unmodified, with the real handlers, against
      embedded S3 (or AWS_ENDPOINT_URL_S3), a local Secrets Manager and the vendor sandbox
      (or the base URL in --config). Pipelines: ${Object.keys(PIPELINES).join(', ')}.
      By default the handlers run from the TypeScript source in this process. --bundled runs
      what cdk synth ships instead: it synthesizes config/every-pipeline.json into
      .local/cdk.out (or reads the cloud assembly --assembly names) and runs each function's
      bundle in its own Node process with its template's environment and memory.
  etl sandbox [--config <file>]
      Start the vendor sandboxes alone (${VENDORS.map((v, i) => `${v.title} on port ${4010 + 10 * i}`).join(', ')},
      when free) and print their URLs; Ctrl-C stops them.
  etl demo
      Start everything embedded, run every pipeline end to end and show what landed where.
  etl backfill campusgroups-export --from <date> --to <date> --state-machine-arn <arn>
                                   [--entities a,b,...] [--window-days N] [--name <execution name>]
      Start a backfill of the deployed state machine in AWS (credentials and region from the
      usual AWS environment).
  etl watermark registry --from <All_CSVs_SysAdmin.zip> [--out <file>]
      Refresh the Watermark header registry from Watermark's sample templates; writes
      vendors/watermark/registry.json (deployed with the code) unless --out names another file.
  ${SECRETS_USAGE}
  etl doctor --local [--config <file>]
  etl doctor [--deploy-config <file>]
      Check every configured connection: its secret exists with the keys it needs, the
      vendor accepts it (CampusGroups: a tiny query; Watermark: a token for the audience;
      SameGoal: SFTP login with the pinned host key and /upload writable; GoContractor: one
      page), and no key expires soon. One line per check; exit 1 on any failure. --local
      checks the local sandboxes; otherwise the deployed stack's secrets in AWS (credentials
      and region from the usual AWS environment) with the endpoints of the deployment config
      (config/example.json by default).
  etl docs [--check]
      Write the README's settings tables from the schemas (--check: exit 1 when they differ).
  etl bench [csv-checks|campusgroups-export|watermark-import|samegoal-delivery|bundles]
      Run the benchmarks (all of them: npm run bench), each figure beside its baseline, and end
      with a table of every target, met or not. A missed target is a figure: exit 0 once the
      benchmarks ran.

Exit status: 0 success; 1 the execution (or backfill request) failed; 2 bad usage or config.`;


const LOG_DIR = join(ROOT, '.local', 'logs');

/** Lambda log lines go to a file (and to `also`): the terminal is for progress and the summary. */
function logToFile(name: string, also?: (line: string) => void): string {
  mkdirSync(LOG_DIR, { recursive: true });
  const file = join(LOG_DIR, `${name}.jsonl`);
  const stream = createWriteStream(file, { flags: 'a' });
  setLogSink((line) => {
    stream.write(`${line}\n`);
    also?.(line);
  });
  return file;
}

function parseInput(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`);
  }
}

async function runLocal(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      bundled: { type: 'boolean' },
      assembly: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return print(USAGE, 0);
  if (values.assembly && !values.bundled) throw new UsageError('--assembly goes with --bundled');
  const [pipeline] = positionals;
  if (!pipeline || positionals.length > 1) throw new UsageError(`etl local takes one pipeline: ${Object.keys(PIPELINES).join(', ')}`);
  if (!PIPELINES[pipeline]) throw new UsageError(`Unknown pipeline '${pipeline}'${didYouMean(pipeline, Object.keys(PIPELINES))} (known: ${Object.keys(PIPELINES).join(', ')})`);
  const input = parseInput(values.input);
  const config = loadConfigFile(values.config, await localVendors());

  let code: CodeSource = { kind: 'source' };
  if (values.bundled) {
    const { readAssembly, synthesize } = await import('../local/bundles.js');
    let assembly;
    if (values.assembly) {
      try {
        assembly = readAssembly(values.assembly);
      } catch (error) {
        throw new UsageError(`--assembly ${values.assembly}: ${(error as Error).message}`);
      }
    } else {
      const outdir = join(ROOT, '.local', 'cdk.out');
      process.stderr.write(`Synthesizing every pipeline into ${outdir} …\n`);
      assembly = await synthesize(outdir);
    }
    code = { kind: 'bundled', assembly };
  }

  const env = await startLocalEnvironment({ config });
  try {
    const executionName = `local-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const tally = new RetryTally();
    const logFile = logToFile(executionName, (line) => tally.logLine(line));
    const { vendor } = PIPELINES[pipeline]!;
    const report = vendor.reports[pipeline]!;
    process.stderr.write(
      `Running ${pipeline} locally from ${code.kind === 'bundled' ? `the bundles in ${code.assembly.dir}` : 'the TypeScript source'} (${executionName}); S3 at ${env.s3Endpoint}; ${env.vendors[vendor.name]!.describe[0]}\n`,
    );
    const progress = progressLine(process.stderr);
    const show = report.progress(progress.line);
    const result = await runPipeline(pipeline, input, {
      executionName,
      code,
      onEvent: (e) => {
        show(e);
        tally.event(e);
      },
    });
    progress.done();
    process.stderr.write(`Lambda logs: ${logFile}\n\n`);
    if (result.status === 'SUCCEEDED') {
      process.stdout.write(`${report.summary(result.output)}\n`);
      process.stdout.write(`Execution succeeded in ${(result.durationMs / 1000).toFixed(1)} s, ${plural(result.transitions, 'state transition')}; ${tally.summary()}.\n`);
    } else {
      process.stdout.write(`Execution FAILED in ${(result.durationMs / 1000).toFixed(1)} s; ${tally.summary()}\n  error: ${result.error}\n  cause: ${result.cause}\n`);
    }
    if (values.json) {
      const out = result.status === 'SUCCEEDED' ? result.output : { status: 'FAILED', error: result.error, cause: result.cause };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    }
    return result.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await env.stop();
  }
}

async function runSandbox(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return print(USAGE, 0);
  const config = loadConfigFile(values.config, await localVendors());
  const env = await startLocalEnvironment({ config, usualPorts: true });
  // Ctrl-C (or a TERM from a supervisor) stops the sandboxes cleanly: exit 0, not the signal's
  // 130. The handler is in place before the URLs are printed, so a caller that stops us as soon
  // as it reads them is handled too.
  const stopped = new Promise<void>((resolve) => {
    process.removeAllListeners('SIGINT');
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  // The built-in credentials are obviously fake and safe to show; ones from a config file are not shown.
  process.stdout.write(`${Object.values(env.vendors).flatMap((v) => v.describe).join('\n')}\nCtrl-C stops.\n`);
  await stopped;
  await env.stop();
  return 0;
}

async function runBackfill(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      entities: { type: 'string' },
      'window-days': { type: 'string' },
      'state-machine-arn': { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return print(USAGE, 0);
  if (positionals[0] !== 'campusgroups-export' || positionals.length !== 1) throw new UsageError('etl backfill supports one pipeline: campusgroups-export');
  if (!values.from || !values.to) throw new UsageError('etl backfill needs --from and --to (ISO dates, e.g. 2025-01-01)');
  const arn = values['state-machine-arn'] ?? process.env.CAMPUSGROUPS_STATE_MACHINE_ARN;
  if (!arn) throw new UsageError('etl backfill needs --state-machine-arn (or CAMPUSGROUPS_STATE_MACHINE_ARN); the stack prints it as an output');
  const windowDays = values['window-days'] === undefined ? undefined : Number(values['window-days']);
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  const { startBackfill } = await import('./backfill.js');
  const client = new SFNClient({});
  try {
    const started = await startBackfill(
      client,
      {
        stateMachineArn: arn,
        from: values.from,
        to: values.to,
        entities: values.entities?.split(',').map((e) => e.trim()).filter(Boolean),
        windowDays,
        name: values.name,
      },
      (line) => process.stderr.write(`${line}\n`),
    );
    for (const s of started) process.stdout.write(`Started ${s.name}\n  execution: ${s.executionArn}\n  input:     ${JSON.stringify(s.input)}\n`);
    return 0;
  } catch (error) {
    const e = error as Error;
    if (e.name === 'Etl.InvalidInput') throw new UsageError(e.message);
    process.stderr.write(`Backfill not started: ${e.name}: ${e.message}\n`);
    return 1;
  }
}

async function runDoctorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { local: { type: 'boolean' }, config: { type: 'string' }, 'deploy-config': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return print(USAGE, 0);
  const { runDoctor, formatDoctor, targetsFromEnv } = await import('../doctor/checks.js');
  let targets: import('../doctor/checks.js').DoctorTarget[];
  let timeZone: string;
  let stop = async () => undefined as void;
  if (values.local) {
    const env = await startLocalEnvironment({ config: loadConfigFile(values.config, await localVendors()) });
    stop = env.stop;
    targets = targetsFromEnv(undefined);
    timeZone = process.env.TIME_ZONE!;
  } else {
    const { loadDeployConfig, DeployConfigError } = await import('../lib/config.js');
    let c;
    try {
      c = loadDeployConfig(values['deploy-config'] ?? join(ROOT, 'config', 'example.json'));
    } catch (error) {
      if (error instanceof DeployConfigError) throw new UsageError(error.message);
      throw error;
    }
    timeZone = c.timeZone;
    targets = VENDORS.filter((v) => c.vendors[v.name]?.enabled).map((vendor) => ({ vendor, secretId: `${c.stackName}/${vendor.secret.name}`, settings: c.vendors[vendor.name]! }));
  }
  try {
    const lines = await runDoctor(targets, { timeZone });
    process.stdout.write(`${formatDoctor(lines)}\n`);
    const failures = lines.filter((l) => l.verdict === 'failure').length;
    const warnings = lines.filter((l) => l.verdict === 'warning').length;
    process.stdout.write(`${plural(lines.length, 'check')}: ${plural(failures, 'failure')}, ${plural(warnings, 'warning')}\n`);
    return failures > 0 ? 1 : 0;
  } finally {
    await stop();
  }
}

async function runWatermark(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { from: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return print(USAGE, 0);
  if (positionals[0] !== 'registry' || positionals.length !== 1) throw new UsageError("etl watermark has one subcommand: registry");
  if (!values.from) throw new UsageError('etl watermark registry needs --from <templates.zip>');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { refreshRegistry } = await import('../vendors/watermark/registry-refresh.js');
  let zip: Buffer;
  try {
    zip = readFileSync(values.from);
  } catch (error) {
    throw new UsageError(`--from ${values.from} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { registry, report } = await refreshRegistry(zip, values.from.split('/').pop()!).catch((error: Error) => {
    throw new UsageError(`--from ${values.from}: ${error.message}`);
  });
  const out = values.out ?? join(ROOT, 'vendors', 'watermark', 'registry.json');
  writeFileSync(out, `${JSON.stringify(registry, null, 2)}\n`);
  for (const line of report) process.stdout.write(`  ${line}\n`);
  process.stdout.write(`Wrote ${out}. Deploy it with the code, or put it at s3://<data bucket>/state/watermark/registry.json to use it at once.\n`);
  return 0;
}

async function runDocs(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return print(USAGE, 0);
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { updateReadme } = await import('./docs.js');
  const file = join(ROOT, 'README.md');
  const before = readFileSync(file, 'utf-8');
  const { text, missing } = updateReadme(before, await localVendors());
  if (missing.length > 0) {
    process.stderr.write(`README.md has no place for: ${missing.map((m) => `<!-- ${m} --> … <!-- /${m} -->`).join(', ')}\n`);
    return 1;
  }
  if (values.check) {
    if (text === before) return print('README.md settings tables match the schemas.', 0);
    process.stderr.write('README.md settings tables differ from the schemas: run ./bin/etl.mjs docs\n');
    return 1;
  }
  writeFileSync(file, text);
  return print(text === before ? 'README.md settings tables were already up to date.' : 'README.md settings tables rewritten from the schemas.', 0);
}

function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`);
  return code;
}

/** The CLI's side of the scrubbing boundary: every line it prints, stdout and stderr, progress included. */
function scrubOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' ? scrub(chunk) : chunk instanceof Uint8Array ? scrub(Buffer.from(chunk).toString('utf-8')) : chunk, ...rest)) as typeof stream.write;
  }
}

const COMMANDS = ['local', 'sandbox', 'demo', 'backfill', 'watermark', 'secrets', 'doctor', 'docs', 'bench', 'help'];

export async function main(argv: string[]): Promise<number> {
  scrubOutput();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'local':
        return await runLocal(rest);
      case 'sandbox':
        return await runSandbox(rest);
      case 'demo': {
        const { runDemo } = await import('./demo.js');
        return await runDemo();
      }
      case 'backfill':
        return await runBackfill(rest);
      case 'watermark':
        return await runWatermark(rest);
      case 'secrets': {
        const { runSecretsCommand } = await import('./secrets.js');
        return await runSecretsCommand(rest);
      }
      case 'doctor':
        return await runDoctorCommand(rest);
      case 'docs':
        return await runDocs(rest);
      case 'bench': {
        const { runBenchmarks } = await import('../bench/index.js');
        return await runBenchmarks(rest);
      }
      case undefined:
        // Bad usage: the usage goes to stderr, with the exit status that says so.
        process.stderr.write(`${USAGE}\n`);
        return 2;
      case 'help':
      case '--help':
      case '-h':
        return print(USAGE, 0);
      default:
        throw new UsageError(`Unknown command '${command}'${didYouMean(command, COMMANDS)}`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`etl: ${(error as Error).message}\nRun 'etl --help' for usage.\n`);
      return 2;
    }
    throw error;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
await new Promise((resolve) => process.stdout.write('', resolve));
// Keep-alive sockets and timers of finished runs must not hold the process open.
setTimeout(() => process.exit(code), 200).unref();
