#!/usr/bin/env node
// The `etl` command: the TypeScript CLI in local/cli.ts, run through tsx so no build step is needed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The project runs on the Lambdas' Node major, which `npm ci` installs as node_modules/node.
// Started by an older `node` on the PATH (./bin/etl.mjs from a shell), hand over to that one.
const LAMBDA_NODE_MAJOR = 24;
const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
if (Number(process.versions.node.split('.')[0]) < LAMBDA_NODE_MAJOR && existsSync(projectNode)) {
  const run = spawnSync(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const { register } = await import('tsx/esm/api');
register();
await import('../cli/cli.ts');
