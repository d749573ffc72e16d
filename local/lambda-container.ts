import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What Lambda reports for a failed invocation: Step Functions takes errorType as the Error. */
export interface LambdaFailure {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export class LambdaInvokeError extends Error {
  constructor(readonly failure: LambdaFailure) {
    super(failure.errorMessage);
    this.name = failure.errorType;
  }
}

export interface ContainerSpec {
  /** The function's name, for the context object and messages. */
  name: string;
  /** The bundle file (index.mjs) and its export. */
  file: string;
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The function's environment, as the runtime would give it; nothing of this process's environment leaks in. */
  environment: Record<string, string>;
  /** Each line the function prints (its logs). */
  onLine?: (line: string) => void;
}

const HOST = fileURLToPath(new URL('./lambda-host.mjs', import.meta.url));

/**
 * A warm Lambda execution environment for one synthesized bundle: its own Node process (the
 * same Node major as the runtime, since the project runs on it), the function's environment
 * variables only, a heap sized from its memory setting, and the timeout enforced by ending the
 * process. A crash or timeout ends the environment; the next invocation starts a cold one.
 */
export class LambdaContainer {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  coldStarts = 0;
  /** How long the last cold start took to import the bundle (Lambda's Init Duration). */
  initMs?: number;
  /** The peak memory of any of its environments, in MB (Lambda's Max Memory Used). */
  maxMemoryUsedMb = 0;

  constructor(readonly spec: ContainerSpec) {}

  private start(): Promise<void> {
    this.coldStarts++;
    // The heap as Lambda's nodejs runtime sizes it from the function's memory: a tenth for the
    // young generation (two semi-spaces), the rest for the old space.
    const newSpace = Math.floor(this.spec.memoryMb / 10);
    const flags = [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${this.spec.memoryMb - newSpace}`];
    const child = spawn(process.execPath, [...flags, HOST, this.spec.file, this.spec.handler], {
      env: this.spec.environment,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.spec.onLine?.(line));
    }
    const ended = (why: string) => {
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new LambdaInvokeError({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited (${why})` }));
      }
      if (this.child === child) {
        this.child = undefined;
        this.ready = undefined;
      }
    };
    child.on('exit', (code, signal) => ended(signal ? `signal ${signal}` : `exit status ${code}`));
    child.on('message', (message: { type: string; id?: string; payload?: string; error?: LambdaFailure; maxRssMb?: number }) => {
      if (message.type !== 'result' && message.type !== 'crash') return;
      if (message.maxRssMb) this.maxMemoryUsedMb = Math.max(this.maxMemoryUsedMb, message.maxRssMb);
      const p = message.id ? this.pending.get(message.id) : undefined;
      if (!p || !message.id) return;
      this.pending.delete(message.id);
      if (message.error) p.reject(new LambdaInvokeError(message.error));
      else p.resolve(JSON.parse(message.payload ?? 'null'));
    });
    return new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${this.spec.name}: the bundle's process exited (${code}) before it was ready`)));
      child.once('message', (m: { initMs?: number }) => {
        this.initMs = m.initMs;
        resolve();
      });
    });
  }

  /** Invokes the handler with the event as Lambda would: a JSON copy in, a JSON copy out. */
  async invoke(event: unknown, context: { awsRequestId?: string } = {}): Promise<unknown> {
    if (!this.child || !this.ready) this.ready = this.start();
    await this.ready;
    const child = this.child!;
    const id = context.awsRequestId ?? randomUUID();
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const functionArn = `arn:aws:lambda:us-east-1:000000000000:function:${this.spec.name}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // Lambda ends the environment at the timeout; so does this.
        child.kill('SIGKILL');
        reject(new LambdaInvokeError({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds` }));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({
        type: 'invoke',
        id,
        event,
        deadline: Date.now() + timeoutMs,
        context: {
          functionName: this.spec.name,
          functionVersion: '$LATEST',
          invokedFunctionArn: functionArn,
          memoryLimitInMB: String(this.spec.memoryMb),
          awsRequestId: id,
          logGroupName: `/aws/lambda/${this.spec.name}`,
          logStreamName: 'local',
        },
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  }
}
