import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import busboy from 'busboy';
import yauzl from 'yauzl';
import { FaultPlan, NO_FAULTS, type FaultKind, type FaultOptions } from '../../../lambdas/sandbox/faults.js';
import { close, echoReply, listen, sendJson, type EchoMode } from '../../../lambdas/sandbox/http.js';
import { classify } from './templates.js';

/**
 * A local Watermark: the OAuth2 token endpoint (client credentials, audience checked), POST
 * /v1/import/data (multipart, field `filename`, chunked bodies refused as strict servers do,
 * the ZIP opened and each CSV classified by its header), and the status endpoint, In Progress
 * for a number of polls, then Completed, or Failed when a file was not recognised.
 */
export interface WatermarkSandboxOptions {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  audience: string;
  tokenLifetimeSeconds: number;
  pollsBeforeDone: number;
  /** Imports that never leave In Progress. */
  neverFinish: boolean;
  /** Open the ZIP and classify its files (off in benchmarks, to time the transfer alone). */
  inspectZip: boolean;
  /**
   * Answers after an upload was accepted (the import exists), for the next `times` uploads. The
   * document only shows "a successful POST request will return an HTTP (status code 200 OK)"
   * with "import_id"; it promises nothing about the answer a gateway gives when it times out
   * after the server took the file, so every one of these is a reading a client must survive:
   * '504' (the gateway gave up), 'no-id' (200 with a body that has no import id), 'not-json'
   * (200 with a body that is not JSON), 'reset' (the connection closed with no answer).
   */
  afterAccept: { mode: '504' | 'no-id' | 'not-json' | 'reset'; times: number } | null;
  /**
   * The word for an import not done yet. The document says both: "a basic status response of
   * Pending, Completed or Failed" (Basics) and "In Progress, Completed or Failed" (Import Status).
   */
  pendingWord: 'In Progress' | 'Pending';
  faults: FaultOptions;
  /** Which random faults the upload endpoint gets (a 5xx there leaves a client rightly uncertain). */
  uploadFaultKinds: FaultKind[];
  /** Every endpoint answers this status, echoing the request's headers and body (null: off). */
  echo: EchoMode | null;
}

export const SANDBOX_CLIENT_ID = 'fake-watermark-client-id';
export const SANDBOX_CLIENT_SECRET = 'fake-watermark-client-secret-for-local-runs';
export const WATERMARK_AUDIENCE = 'https://api.platform.watermarkinsights.com';

export interface SandboxImport {
  importId: string;
  fileName: string;
  bytes: number;
  files: Array<{ name: string; type?: string; rows: number }>;
  pollsLeft: number;
  receivedAt: string;
  status?: 'Completed' | 'Failed';
  message: string;
}

export interface WatermarkRequest {
  method: string;
  path: string;
  status: number;
  fault?: FaultKind;
  chunked?: boolean;
}

export class WatermarkSandbox {
  readonly options: WatermarkSandboxOptions;
  readonly requests: WatermarkRequest[] = [];
  readonly imports: SandboxImport[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly faults: FaultPlan;
  private readonly dir = mkdtempSync(join(tmpdir(), 'watermark-sandbox-'));
  private server?: Server;
  url = '';

  constructor(options: Partial<WatermarkSandboxOptions> = {}) {
    this.options = {
      host: '127.0.0.1',
      port: 0,
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      audience: WATERMARK_AUDIENCE,
      tokenLifetimeSeconds: 86_400,
      pollsBeforeDone: 2,
      neverFinish: false,
      inspectZip: true,
      afterAccept: null,
      pendingWord: 'In Progress',
      uploadFaultKinds: ['5xx', '429', 'reset', 'slow'],
      echo: null,
      ...options,
      faults: { ...NO_FAULTS, ...options.faults },
    };
    this.faults = new FaultPlan(this.options.faults);
  }

  get tokenUrl() {
    return `${this.url}/oauth/token`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: String(error) });
        else res.destroy();
      });
    });
    this.url = `http://${this.options.host}:${await listen(this.server, this.options.host, this.options.port)}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.server) {
      await close(this.server);
      this.server = undefined;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  configure(
    change: Partial<Pick<WatermarkSandboxOptions, 'pollsBeforeDone' | 'neverFinish' | 'tokenLifetimeSeconds' | 'afterAccept' | 'pendingWord' | 'uploadFaultKinds' | 'echo'>> & { faults?: Partial<FaultOptions> },
  ): void {
    const { faults, ...rest } = change;
    Object.assign(this.options, rest);
    if (faults) this.faults.update(faults);
  }

  /** Makes every token issued so far expire now, as if hours had passed. */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const record: WatermarkRequest = { method: req.method ?? '', path: url.pathname, status: 0 };
    this.requests.push(record);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      if (!req.complete) req.resume();
      sendJson(res, status, body, headers);
    };

    if (this.options.echo) {
      record.status = this.options.echo.status;
      return echoReply(req, res, this.options.echo);
    }
    let fault = this.faults.next();
    // A fault the upload may not get becomes the first one it may (or none).
    if (fault && url.pathname === '/v1/import/data' && !this.options.uploadFaultKinds.includes(fault)) fault = this.options.uploadFaultKinds[0];
    record.fault = fault;
    if (fault === '5xx') return reply(502, { message: 'Bad gateway (sandbox fault)' });
    if (fault === '429') return reply(429, { message: 'Too many requests (sandbox fault)' }, { 'Retry-After': String(this.faults.settings.retryAfterSeconds) });
    if (fault === 'slow') await sleep(this.faults.settings.slowMs);
    if (fault === 'reset') {
      record.status = -1;
      req.socket.destroy();
      return;
    }

    if (req.method === 'POST' && url.pathname === '/oauth/token') return this.token(req, reply);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = auth ? this.tokens.get(auth) : undefined;
    if (expiry === undefined || expiry < Date.now()) return reply(401, { message: expiry === undefined ? 'Unauthorized' : 'Token expired' });
    if (req.method === 'POST' && url.pathname === '/v1/import/data') return this.importData(req, record, reply);
    const status = /^\/v1\/import\/([^/]+)\/status$/.exec(url.pathname);
    if (req.method === 'GET' && status) return this.status(decodeURIComponent(status[1]!), reply);
    return reply(404, { message: `No route for ${req.method} ${url.pathname}` });
  }

  private async token(req: IncomingMessage, reply: (s: number, b: unknown) => void): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf-8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return reply(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type: ' + (form.get('grant_type') ?? '') });
    }
    if (form.get('client_id') !== this.options.clientId || form.get('client_secret') !== this.options.clientSecret) {
      return reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (form.get('audience') !== this.options.audience) {
      return reply(403, { error: 'access_denied', error_description: `Service not found: ${form.get('audience') ?? ''}` });
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, Date.now() + this.options.tokenLifetimeSeconds * 1000);
    return reply(200, { access_token: token, scope: 'access', expires_in: this.options.tokenLifetimeSeconds, token_type: 'Bearer' });
  }

  private async importData(req: IncomingMessage, record: WatermarkRequest, reply: (s: number, b: unknown) => void): Promise<void> {
    if (req.headers['transfer-encoding']?.includes('chunked') || req.headers['content-length'] === undefined) {
      record.chunked = true;
      return reply(411, { message: 'Length Required: send the upload with a Content-Length' });
    }
    if (!req.headers['content-type']?.startsWith('multipart/form-data')) return reply(400, { message: 'Expected multipart/form-data' });
    const path = join(this.dir, `${randomUUID()}.zip`);
    let fileName = '';
    let sawField = false;
    const parser = busboy({ headers: req.headers });
    const saved: Promise<void>[] = [];
    parser.on('file', (field, stream, info) => {
      if (field !== 'filename') {
        stream.resume();
        return;
      }
      sawField = true;
      fileName = info.filename ?? '';
      saved.push(pipeline(stream, createWriteStream(path)));
    });
    await pipeline(req, parser);
    await Promise.all(saved);
    if (!sawField) return reply(400, { message: "The multipart body has no 'filename' file field" });

    let files: SandboxImport['files'] = [];
    try {
      if (this.options.inspectZip) files = await readZip(path);
    } catch (error) {
      return reply(400, { message: `The upload is not a readable ZIP: ${(error as Error).message}` });
    } finally {
      rmSync(path, { force: true });
    }
    const unrecognised = files.filter((f) => !f.type).map((f) => f.name);
    const imp: SandboxImport = {
      importId: randomUUID(),
      fileName,
      bytes: Number(req.headers['content-length']),
      files,
      pollsLeft: this.options.pollsBeforeDone,
      receivedAt: new Date().toISOString().replace('T', ' ').replace('Z', ''),
      message: unrecognised.length ? `No import type recognised for: ${unrecognised.join(', ')}` : '',
    };
    this.imports.push(imp);
    const after = this.options.afterAccept;
    if (after && after.times > 0) {
      after.times--;
      if (after.mode === 'reset') {
        record.status = -1;
        req.socket.destroy();
        return;
      }
      if (after.mode === '504') return reply(504, { message: 'Gateway Timeout (sandbox: the import was created)' });
      if (after.mode === 'no-id') return reply(200, { status: 'accepted' });
      record.status = 200;
      req.socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\nConnection: close\r\n\r\n<html>OK</html>');
      return;
    }
    return reply(200, { import_id: imp.importId });
  }

  private status(id: string, reply: (s: number, b: unknown) => void): void {
    const imp = this.imports.find((i) => i.importId === id);
    if (!imp) return reply(404, { message: `Unknown import_id ${id}` });
    if (!imp.status && (this.options.neverFinish || imp.pollsLeft-- > 0)) {
      return reply(200, { import_id: id, status: this.options.pendingWord, file_name: imp.fileName, time_received: imp.receivedAt, status_message: '' });
    }
    imp.status ??= imp.message ? 'Failed' : 'Completed';
    return reply(200, { import_id: id, status: imp.status, file_name: imp.fileName, time_received: imp.receivedAt, status_message: imp.message });
  }
}

/** Each CSV in the ZIP, with the type its header makes it and its row count. */
function readZip(path: string): Promise<SandboxImport['files']> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('cannot open'));
      const files: SandboxImport['files'] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(files));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('cannot read entry'));
          let head = '';
          let lines = 0;
          let headerDone = false;
          stream.on('data', (chunk: Buffer) => {
            for (const b of chunk) if (b === 0x0a) lines++;
            if (!headerDone) {
              head += chunk.toString('utf-8');
              headerDone = head.includes('\n');
            }
          });
          stream.on('end', () => {
            const first = head.replace(/^\ufeff/, '').split(/\r?\n/)[0] ?? '';
            const type = classify(first.split(',').map((c) => c.replace(/^"|"$/g, '')));
            files.push({ name: entry.fileName, type, rows: Math.max(0, lines - 1) });
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.readEntry();
    });
  });
}
