import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { LocalEvent } from '../local/runner.js';

export const ROOT_DIR = join(import.meta.dirname, '..');

/** Writes a CSV of about `targetBytes`: the header, then rowAt(0), rowAt(1), … with CRLF endings. */
export async function writeCsv(path: string, header: string, rowAt: (i: number) => string, targetBytes: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\r\n`);
  let written = 0;
  for (let i = 0; written < targetBytes; ) {
    let chunk = '';
    for (let k = 0; k < 2000; k++, i++) chunk += `${rowAt(i)}\r\n`;
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Each state's duration in seconds, from the execution's events. */
export function stepTimer(): { onEvent: (e: LocalEvent) => void; seconds: Record<string, number> } {
  const entered = new Map<string, number>();
  const seconds: Record<string, number> = {};
  return {
    seconds,
    onEvent: (e) => {
      const name = e.state?.name;
      if (!name) return;
      if (e.type === 'StateEntered') entered.set(name, e.timestamp);
      if (e.type === 'StateExited') seconds[name] = (e.timestamp - entered.get(name)!) / 1000;
    },
  };
}

/** Runs a command to its end; its wall time and stdout. */
export function timed(cmd: string, args: string[]): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve({ seconds: (performance.now() - started) / 1000, stdout }) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/**
 * Bundles a bench child script as the Lambda bundles are built (lib/constructs/bundled-function.ts:
 * esbuild, ESM, minified, the same banner), so that what it measures runs as it would in Lambda,
 * without tsx transpiling next to it. Returns the bundle's path.
 */
export async function bundleChild(script: string, outdir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(outdir, `${script.replace(/[/.]/g, '-')}.mjs`);
  await build({
    entryPoints: [join(ROOT_DIR, script)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
    external: ['cpu-features', '*.node'],
    logLevel: 'error',
  });
  return outfile;
}

/** A bench child script (TypeScript, through tsx; its path from the project root) in its own process; its last stdout line as JSON. */
export function runChild<T>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  // A bundle from bundleChild runs as it is; a TypeScript script through tsx.
  const command = script.endsWith('.mjs') ? [script] : ['--import', 'tsx', join(ROOT_DIR, script)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? []), ...command, ...args], {
      cwd: ROOT_DIR,
      env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

export { peakRssMb } from '../local/peak-memory.mjs';

/**
 * Two measurements in turn, `rounds` times each (A B A B …), so neither always runs on a warmer
 * machine; each one's runs, fastest first. `round` lets a measurement write somewhere new.
 */
export async function alternately<A extends { seconds: number }, B extends { seconds: number }>(
  rounds: number,
  a: (round: number) => Promise<A>,
  b: (round: number) => Promise<B>,
): Promise<[[A, ...A[]], [B, ...B[]]]> {
  if (rounds < 1) throw new Error('alternately: at least one round');
  const as: A[] = [];
  const bs: B[] = [];
  for (let round = 0; round < rounds; round++) {
    as.push(await a(round));
    bs.push(await b(round));
  }
  const fastestFirst = <T extends { seconds: number }>(runs: T[]) => runs.sort((x, y) => x.seconds - y.seconds) as [T, ...T[]];
  return [fastestFirst(as), fastestFirst(bs)];
}
