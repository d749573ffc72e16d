// One Lambda execution environment for a synthesized bundle: imports the bundle the way the
// nodejs runtime does (ESM, its own process, the function's environment only) and answers
// invocations from the parent over IPC. Plain JavaScript, so nothing of the project's
// TypeScript toolchain is loaded next to the bundle.
import { pathToFileURL } from 'node:url';
import { peakRssMb } from './peak-memory.mjs';

const [bundle, handlerName = 'handler'] = process.argv.slice(2);
let current; // the invocation in flight, if any

const send = (message) => new Promise((resolve) => process.send(message, resolve));

function describe(error) {
  const e = error instanceof Error ? error : new Error(String(error));
  return { errorType: e.name || 'Error', errorMessage: e.message, trace: (e.stack ?? '').split('\n').slice(0, 12) };
}

// As in Lambda, an unhandled rejection fails the invocation and ends the environment.
process.on('unhandledRejection', async (reason) => {
  const info = describe(reason);
  await send({ type: 'crash', id: current, error: { ...info, errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${info.errorType}: ${info.errorMessage}` } });
  process.exit(1);
});

let handler;
let initError;
const initStart = performance.now();
try {
  const mod = await import(pathToFileURL(bundle).href);
  handler = mod[handlerName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${bundle} does not export '${handlerName}'`), { name: 'Runtime.HandlerNotFound' });
} catch (error) {
  const info = describe(error);
  initError = info.errorType.startsWith('Runtime.') ? info : { ...info, errorType: 'Runtime.ImportModuleError', errorMessage: `${info.errorType}: ${info.errorMessage}` };
}
await send({ type: 'ready', initError, initMs: performance.now() - initStart });

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  current = message.id;
  if (initError) {
    await send({ type: 'result', id: message.id, error: initError });
    return;
  }
  const deadline = message.deadline;
  const context = {
    ...message.context,
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const value = await handler(message.event, context);
    // Lambda answers with the JSON of the value; undefined becomes null.
    await send({ type: 'result', id: message.id, payload: JSON.stringify(value ?? null), maxRssMb: peakRssMb() });
  } catch (error) {
    await send({ type: 'result', id: message.id, error: describe(error), maxRssMb: peakRssMb() });
  } finally {
    current = undefined;
  }
});
process.on('disconnect', () => process.exit(0));
