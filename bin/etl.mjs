#!/usr/bin/env node
// The `etl` command: the TypeScript CLI in local/cli.ts, run through tsx so no build step is needed.
import { register } from 'tsx/esm/api';

// The AWS SDK warns once that it will soon need Node 22; the Lambdas run on Node 22 in AWS,
// and locally the warning would only clutter every command's output.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  const text = `${warning.name}: ${warning.message}`;
  if (!text.includes('NodeVersionSupportWarning')) process.stderr.write(`${text}\n`);
});

register();
await import('../local/cli.ts');
