import { join } from 'node:path';
import { localEnvironment, synthesize } from '../local/bundles.js';
import { LambdaContainer } from '../local/lambda-container.js';
import { ROOT } from '../local/paths.js';

/**
 * What each deployed function costs to ship and to start: its bundle's size, and the time to
 * import it in a fresh Node process (Lambda's Init Duration, minus the runtime's own start),
 * the median of three cold starts.
 */
export async function benchBundles(say: (line?: string) => void): Promise<Record<string, { bytes: number; initMs: number }>> {
  const assembly = await synthesize(join(ROOT, '.local', 'bench', 'cdk.out'));
  const out: Record<string, { bytes: number; initMs: number }> = {};
  say(`${'function'.padEnd(36)} ${'bundle'.padStart(10)} ${'import (median of 3)'.padStart(22)}`);
  for (const fn of assembly.functions) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = new LambdaContainer({ name: fn.logicalId, file: fn.file, handler: fn.handler, timeoutSeconds: 30, memoryMb: fn.memoryMb, environment: localEnvironment(fn, {}), onLine: () => undefined });
      // An event every task refuses at its edge: the point is the cold start, not the work.
      await c.invoke({ probe: true }).catch(() => undefined);
      times.push(c.initMs ?? Number.NaN);
      await c.stop();
    }
    const initMs = times.sort((a, b) => a - b)[1]!;
    const name = fn.logicalId.replace(/[0-9A-F]{8}$/, '');
    out[name] = { bytes: fn.bytes, initMs };
    say(`${name.padEnd(36)} ${`${(fn.bytes / 1024).toFixed(0)} KiB`.padStart(10)} ${`${initMs.toFixed(0)} ms`.padStart(22)}`);
  }
  return out;
}
