import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clearSecretCache } from '../lambdas/secrets.js';
import { ExecutionAbortedError, ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { readableCause } from '../lambdas/errors.js';
import { emitLine } from '../lambdas/log.js';
import type { Assembly } from './bundles.js';
import { localEnvironment } from './bundles.js';
import { LambdaContainer } from './lambda-container.js';
import { HistoryLimit, historyEvents, jsonBytes, LIMITS, tooLarge } from './limits.js';
import type { Context } from 'aws-lambda';
import { substitutionOf, type FunctionSpec, type LocalEvent, type PipelineSpec } from '../lambdas/connector.js';
import { PIPELINES } from '../vendors/index.js';

export { ROOT } from './paths.js';
import { ROOT } from './paths.js';

export type { LocalEvent } from '../lambdas/connector.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
type Json = Parameters<StateMachine['run']>[0];

/** Wraps one Task's invocation, for tests that make a Lambda die after its work is done. */
export type TaskHook = (invoke: () => Promise<unknown>, input: unknown, attempt: number) => Promise<unknown>;

export interface RunOptions {
  /** Delay for every Retry, in ms, instead of the ASL's IntervalSeconds (the local runtime shortens waits). */
  retryDelayMs?: number;
  waitMs?: number;
  executionName?: string;
  hooks?: Record<string, TaskHook>;
  onEvent?: (event: LocalEvent) => void;
  /** Run the TypeScript source (the default) or the synthesized bundles. */
  code?: CodeSource;
  /** Changes a copy of the state machine for this run only: for tests that break a definition on purpose (a Catch taken away). */
  patchDefinition?: (definition: { States: Record<string, unknown> }) => void;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  executionName: string;
  /** State transitions as Step Functions bills them: every state entered, and every retry. */
  transitions: number;
  /** Events in the execution history, as Step Functions counts them against its 25,000. */
  historyEvents: number;
  durationMs: number;
  /** Bundled runs: each function's peak memory in MB, its own process's, as Lambda reports Max Memory Used. */
  maxMemoryUsedMb?: Record<string, number>;
}

interface TaskState {
  Type: string;
  Resource?: string;
  Retry?: unknown[];
  ItemProcessor?: { States: Record<string, TaskState> };
  Iterator?: { States: Record<string, TaskState> };
  Branches?: Array<{ States: Record<string, TaskState> }>;
}

function* statesOf(states: Record<string, TaskState>): Generator<[string, TaskState]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) yield* statesOf(nested.States);
    for (const branch of state.Branches ?? []) yield* statesOf(branch.States);
  }
}

const localArn = (fn: FunctionSpec) => `arn:aws:lambda:us-east-1:000000000000:function:local-${fn.id}`;

/** The ASL file as deployed, its `${…}` placeholders substituted the way CDK's definitionSubstitutions do. */
export function loadDefinition(pipeline: PipelineSpec): { definition: { States: Record<string, TaskState> }; byArn: Map<string, FunctionSpec> } {
  let text = readFileSync(join(ROOT, pipeline.asl), 'utf-8');
  const byArn = new Map<string, FunctionSpec>();
  for (const fn of pipeline.functions) {
    text = text.split(`\${${substitutionOf(fn)}}`).join(localArn(fn));
    byArn.set(localArn(fn), fn);
  }
  const left = /\$\{([A-Za-z0-9]+)\}/.exec(text);
  if (left) throw new Error(`${pipeline.asl}: placeholder \${${left[1]}} has no function in its connector`);
  return { definition: JSON.parse(text) as { States: Record<string, TaskState> }, byArn };
}

function lambdaContext(fn: FunctionSpec): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const name = `local-${fn.id}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * An error as Step Functions sees one from Lambda: Error is the errorType (the error's name)
 * and Cause is the JSON document Lambda reports, so Catch and the code reading Cause behave
 * the same here as in AWS.
 */
function asLambdaError(error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const out = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
  out.name = e.name === 'Error' || !e.name ? 'Error' : e.name;
  return out;
}

interface Prepared {
  pipeline: PipelineSpec;
  definition: { States: Record<string, TaskState> };
  byArn: Map<string, FunctionSpec>;
  machine: StateMachine;
}

const prepared = new Map<string, Promise<Prepared>>();
const compile = (definition: Prepared['definition']) => new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
const sources = new Map<string, Promise<Map<string, Handler>>>();

/** Where a run's Lambda code comes from: the TypeScript source in this process, or the synthesized bundles. */
export type CodeSource = { kind: 'source' } | { kind: 'bundled'; assembly: Assembly; onLine?: (line: string) => void };

/**
 * Loads a pipeline's definition and validates it (which compiles a JSON schema): the local
 * runtime's cold start, once per pipeline and process.
 */
export function preparePipeline(name: string): Promise<Prepared> {
  let ready = prepared.get(name);
  if (!ready) {
    ready = (async () => {
      const pipeline = PIPELINES[name];
      if (!pipeline) throw new Error(`Unknown pipeline '${name}' (known: ${Object.keys(PIPELINES).join(', ')})`);
      const { definition, byArn } = loadDefinition(pipeline);
      return { pipeline, definition, byArn, machine: compile(definition) };
    })();
    ready.catch(() => prepared.delete(name));
    prepared.set(name, ready);
  }
  return ready;
}

/** The definition and the source's handler modules, loaded ahead of a run (benchmarks keep the cold start out of their figures). */
export async function preloadSource(name: string): Promise<void> {
  await sourceHandlers((await preparePipeline(name)).pipeline);
}

/**
 * The handler modules of a pipeline's source, imported once per process and only for a run of
 * the source (a bundled run must not import them: their clients would keep the endpoints of the
 * local environment that was up then).
 */
function sourceHandlers(pipeline: PipelineSpec): Promise<Map<string, Handler>> {
  let ready = sources.get(pipeline.name);
  if (!ready) {
    ready = (async () => {
      const handlers = new Map<string, Handler>();
      for (const fn of pipeline.functions) {
        const mod = (await import(pathToFileURL(join(ROOT, fn.entry)).href)) as { handler: Handler };
        handlers.set(fn.id, mod.handler);
      }
      return handlers;
    })();
    ready.catch(() => sources.delete(pipeline.name));
    sources.set(pipeline.name, ready);
  }
  return ready;
}

/**
 * One warm environment per bundled function for the length of a run, as Lambda keeps
 * containers between invocations; each is started on its first invocation.
 */
function bundledHandlers(
  pipeline: PipelineSpec,
  source: Extract<CodeSource, { kind: 'bundled' }>,
): { handlers: Map<string, Handler>; stop: () => Promise<void>; memory: () => Record<string, number> } {
  const functions = source.assembly.pipelines[pipeline.name];
  if (!functions) throw new Error(`${source.assembly.dir} has no state machine for ${pipeline.name}: synthesize with it enabled`);
  const containers: LambdaContainer[] = [];
  const byFunction = new Map<string, LambdaContainer>();
  const handlers = new Map<string, Handler>();
  for (const fn of pipeline.functions) {
    const bundle = functions[substitutionOf(fn)];
    if (!bundle) throw new Error(`${source.assembly.dir}: ${pipeline.name} has no function for \${${substitutionOf(fn)}}`);
    let container: LambdaContainer | undefined;
    handlers.set(fn.id, (event, context) => {
      container ??= new LambdaContainer({
        name: bundle.logicalId,
        file: bundle.file,
        handler: bundle.handler,
        timeoutSeconds: bundle.timeoutSeconds,
        memoryMb: bundle.memoryMb,
        // Read when the environment starts, so it sees what the local environment set up.
        environment: localEnvironment(bundle),
        onLine: source.onLine ?? defaultLineSink,
      });
      if (!containers.includes(container)) containers.push(container);
      byFunction.set(fn.id, container);
      return container.invoke(event, { awsRequestId: context.awsRequestId });
    });
  }
  return {
    handlers,
    stop: async () => void (await Promise.all(containers.map((c) => c.stop()))),
    memory: () => Object.fromEntries([...byFunction].map(([id, c]) => [id, Math.round(c.maxMemoryUsedMb)])),
  };
}

/** A bundle's own log lines go where the in-process handlers' lines go. */
const defaultLineSink = (line: string) => emitLine(line);

/** Runs a pipeline's unmodified ASL with each Lambda Task served by its real handler: from source in this process, or from its synthesized bundle. */
export async function runPipeline(name: string, input: unknown, options: RunOptions = {}): Promise<RunResult> {
  const ready = await preparePipeline(name);
  const { pipeline, byArn } = ready;
  let { definition, machine } = ready;
  if (options.patchDefinition) {
    definition = structuredClone(definition);
    options.patchDefinition(definition as { States: Record<string, unknown> });
    machine = compile(definition);
  }
  const code = options.code ?? { kind: 'source' };
  const bundled = code.kind === 'bundled' ? bundledHandlers(pipeline, code) : undefined;
  const handlers = bundled?.handlers ?? (await sourceHandlers(pipeline));
  try {
    const result = await execute(pipeline, definition, byArn, handlers, machine, input, options);
    return bundled ? { ...result, maxMemoryUsedMb: bundled.memory() } : result;
  } finally {
    await bundled?.stop();
  }
}

async function execute(
  pipeline: PipelineSpec,
  definition: Prepared['definition'],
  byArn: Map<string, FunctionSpec>,
  handlers: Map<string, Handler>,
  machine: StateMachine,
  input: unknown,
  options: RunOptions,
): Promise<RunResult> {
  const inputSize = jsonBytes(input);
  if (inputSize > LIMITS.payloadBytes) {
    throw new Error(`The execution input is ${inputSize.toLocaleString('en-US')} bytes; StartExecution accepts at most ${LIMITS.payloadBytes.toLocaleString('en-US')}`);
  }
  const history = new HistoryLimit();
  // A limit broken anywhere ends the execution at once, past any Catch, as in Step Functions.
  let terminal: { error: string; cause: string } | undefined;
  let abort = () => undefined as void;
  const breakLimit = (error: string, cause: string): Promise<never> => {
    terminal ??= { error, cause };
    abort();
    return new Promise<never>(() => undefined);
  };

  const taskHandlers: Record<string, (input: Json) => Promise<Json>> = {};
  const retryIntervalOverrides: Record<string, number[]> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const attempts = new Map<string, number>();
  for (const [stateName, state] of statesOf(definition.States)) {
    if (state.Type === 'Wait') waitTimeOverrides[stateName] = options.waitMs ?? 10;
    if (state.Retry) retryIntervalOverrides[stateName] = state.Retry.map(() => options.retryDelayMs ?? 20);
    if (state.Type !== 'Task') continue;
    const fn = byArn.get(state.Resource ?? '');
    if (!fn) throw new Error(`${pipeline.asl}: Task '${stateName}' has resource ${state.Resource}, which no function of its connector serves`);
    const handler = handlers.get(fn.id)!;
    taskHandlers[stateName] = async (taskInput) => {
      const attempt = (attempts.get(stateName) ?? 0) + 1;
      attempts.set(stateName, attempt);
      // Let the event log catch up, so the history count is exact before this task adds to it.
      await new Promise((resolve) => setImmediate(resolve));
      if (terminal) return new Promise<never>(() => undefined);
      // LambdaFunctionScheduled, LambdaFunctionStarted, and LambdaFunctionSucceeded or Failed.
      if (history.add(3)) return breakLimit(...history.failure());
      const size = jsonBytes(taskInput);
      if (size > LIMITS.payloadBytes) return breakLimit('States.DataLimitExceeded', tooLarge(`The input to state '${stateName}'`, size));
      // Lambda passes events as JSON: nothing but JSON crosses this boundary.
      const invoke = async () => JSON.parse(JSON.stringify((await handler(structuredClone(taskInput), lambdaContext(fn))) ?? null)) as Json;
      const hook = options.hooks?.[stateName];
      let result: Json;
      try {
        result = (hook ? await hook(invoke, taskInput, attempt) : await invoke()) as Json;
      } catch (error) {
        const lambdaError = asLambdaError(error);
        if (lambdaError.name.length > LIMITS.errorChars) {
          return breakLimit('States.DataLimitExceeded', `The error name of state '${stateName}' is ${lambdaError.name.length} characters; Step Functions accepts at most ${LIMITS.errorChars}`);
        }
        if (lambdaError.message.length > LIMITS.causeChars) {
          return breakLimit('States.DataLimitExceeded', `The error cause of state '${stateName}' (${lambdaError.name}) is ${lambdaError.message.length.toLocaleString('en-US')} characters; Step Functions accepts at most ${LIMITS.causeChars.toLocaleString('en-US')}`);
        }
        throw lambdaError;
      }
      const resultSize = jsonBytes(result);
      if (resultSize > LIMITS.payloadBytes) return breakLimit('States.DataLimitExceeded', tooLarge(`The result of state '${stateName}'`, resultSize));
      return result;
    };
  }

  // A local run is a cold start: no secret cached from an earlier run in this process.
  clearSecretCache();

  const executionName = options.executionName ?? `local-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const execution = machine.run(input as Json, {
    overrides: { taskResourceLocalHandlers: taskHandlers, retryIntervalOverrides, waitTimeOverrides },
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:000000000000:execution:${pipeline.name}:${executionName}`,
        Name: executionName,
      },
    },
  });
  abort = () => execution.abort();

  let transitions = 0;
  history.add(1); // ExecutionStarted
  const consumed = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered' || event.type === 'StateRetried') transitions++;
      if (history.add(historyEvents(event as LocalEvent))) void breakLimit(...history.failure());
      const out = (event as LocalEvent).state?.output;
      if (event.type === 'StateExited' && out !== undefined) {
        const size = jsonBytes(out);
        if (size > LIMITS.payloadBytes) void breakLimit('States.DataLimitExceeded', tooLarge(`The output of state '${(event as LocalEvent).state!.name}'`, size));
      }
      options.onEvent?.(event as LocalEvent);
    }
  })();

  let result: RunResult;
  try {
    const output = await execution.result;
    result = { status: 'SUCCEEDED', output, executionName, transitions: 0, historyEvents: 0, durationMs: 0 };
  } catch (error) {
    if (terminal && error instanceof ExecutionAbortedError) {
      result = { status: 'FAILED', ...terminal, executionName, transitions: 0, historyEvents: 0, durationMs: 0 };
    } else {
      if (!(error instanceof ExecutionError)) throw error;
      const cause = error.cause as { name?: string; message?: string } | undefined;
      result = {
        status: 'FAILED',
        error: cause?.name ?? 'States.Runtime',
        cause: readableCause(cause?.message ?? error.message),
        executionName,
        transitions: 0,
        historyEvents: 0,
        durationMs: 0,
      };
    }
  }
  await consumed;
  // The output of a succeeded execution is a payload too.
  if (result.status === 'SUCCEEDED' && jsonBytes(result.output) > LIMITS.payloadBytes) {
    result = { status: 'FAILED', error: 'States.DataLimitExceeded', cause: tooLarge('The execution output', jsonBytes(result.output)), executionName, transitions: 0, historyEvents: 0, durationMs: 0 };
  }
  history.add(1); // ExecutionSucceeded or ExecutionFailed
  return { ...result, transitions, historyEvents: history.count, durationMs: Date.now() - started };
}
