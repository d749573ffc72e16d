import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isEntity } from '../entities.js';
import { FaultPlan, NO_FAULTS, type FaultKind, type FaultOptions } from '../../../lambdas/sandbox/faults.js';
import { close, echoReply, listen, sendJson, type EchoMode } from '../../../lambdas/sandbox/http.js';
import { indexRange, recordAt, type DataShape } from './data.js';

/**
 * A local CampusGroups Data Export API, following the vendor's document: POST /{entity} with
 * updatedStart/updatedEnd gives a queryId; GET /{entity}?queryId answers 202 while the query
 * "runs", then 200 with {Results, NextToken}; pages of `size` (default and maximum 999);
 * headers X-CG-School and X-CG-API-Secret on every request.
 */
export interface CampusGroupsSandboxOptions {
  host: string;
  port: number;
  school: string;
  apiSecret: string;
  data: DataShape;
  /** 202 answers a query gives before it is ready. */
  pollsBeforeReady: number;
  /** Entities whose queries never become ready. */
  neverReady: string[];
  faults: FaultOptions;
  /**
   * The next page's token field. The document spells it both ways: "the response will include
   * a nextToken in the body" (the prose) and "NextToken": "string" (the sample).
   */
  tokenField: 'NextToken' | 'nextToken' | (string & {});
  /**
   * How updatedStart/updatedEnd ("string <date-time>", "(inclusive)") meet updatedOn, which the
   * document never says is whole seconds: 'instant' compares exact times (a record at
   * 23:59:59.500 is after an updatedEnd of 23:59:59), 'whole-seconds' compares updatedOn
   * truncated to its second (the same record is within it).
   */
  boundary: 'instant' | 'whole-seconds';
  /** 'milliseconds' gives records fractional updatedOn values, spread evenly, some on window edges. */
  precision: 'seconds' | 'milliseconds';
  /** Every Nth page answers no records but a token (0: never): still not the end. */
  emptyPageEvery: number;
  /** From the Nth page on, answer the token of the page before again (0: never): a server in a loop. */
  repeatTokenAfter: number;
  /**
   * After N pages of data (the first N, counted from 0), answer every page with a fresh token, and
   * from page N on with no records, forever (0: never): a server that
   * never says it is done, and never repeats itself either. The document has no page count or
   * total to check against, so only a cap on the loop ends this.
   */
  endlessAfter: number;
  /** Every endpoint answers this status, echoing the request's headers and body (null: off). */
  echo: EchoMode | null;
  /** Each page of data is answered this many milliseconds late (0: at once): a vendor's answer time, for the benchmark. */
  pageLatencyMs: number;
}

export interface RecordedRequest {
  method: string;
  entity: string;
  queryId?: string;
  token?: string;
  status: number;
  fault?: FaultKind;
  records?: number;
}

interface Query {
  entity: string;
  lo: number;
  hi: number;
  pollsLeft: number;
  neverReady: boolean;
}

const MAX_PAGE = 999;

export const SANDBOX_SCHOOL = 'demo-college';
/** Obviously fake; the sandbox is the only thing that accepts it. */
export const SANDBOX_SECRET = 'fake-campusgroups-secret-for-local-runs';

export function defaultSandboxOptions(): CampusGroupsSandboxOptions {
  const now = Date.now();
  return {
    host: '127.0.0.1',
    port: 0,
    school: SANDBOX_SCHOOL,
    apiSecret: SANDBOX_SECRET,
    data: {
      recordsPerEntity: 1000,
      start: new Date(now - 400 * 86_400_000).toISOString(),
      end: new Date(now - 3_600_000).toISOString(),
    },
    pollsBeforeReady: 1,
    neverReady: [],
    faults: { ...NO_FAULTS },
    tokenField: 'NextToken',
    boundary: 'instant',
    precision: 'seconds',
    emptyPageEvery: 0,
    repeatTokenAfter: 0,
    endlessAfter: 0,
    pageLatencyMs: 0,
    echo: null,
  };
}

const encodeToken = (queryId: string, offset: number, page = 0, empty = false) => Buffer.from(JSON.stringify({ q: queryId, o: offset, p: page, e: empty })).toString('base64url');

function decodeToken(token: string): { q: string; o: number; p?: number; e?: boolean } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf-8')) as { q?: unknown; o?: unknown; p?: number; e?: boolean };
    return typeof parsed.q === 'string' && typeof parsed.o === 'number' ? { q: parsed.q, o: parsed.o, p: parsed.p, e: parsed.e } : undefined;
  } catch {
    return undefined;
  }
}

export class CampusGroupsSandbox {
  readonly options: CampusGroupsSandboxOptions;
  readonly requests: RecordedRequest[] = [];
  private readonly queries = new Map<string, Query>();
  private readonly faults: FaultPlan;
  private server?: Server;
  baseUrl = '';

  constructor(options: Partial<CampusGroupsSandboxOptions> = {}) {
    const defaults = defaultSandboxOptions();
    this.options = { ...defaults, ...options, data: { ...defaults.data, ...options.data }, faults: { ...defaults.faults, ...options.faults } };
    this.options.data.precision = this.options.precision;
    this.faults = new FaultPlan(this.options.faults);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: String(error) });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
    const port = await listen(this.server, this.options.host, this.options.port);
    this.baseUrl = `http://${this.options.host}:${port}/data/v1`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await close(this.server);
    this.server = undefined;
  }

  /** Change faults or readiness while running. */
  configure(
    change: { faults?: Partial<FaultOptions> } & Partial<
      Pick<CampusGroupsSandboxOptions, 'pollsBeforeReady' | 'neverReady' | 'tokenField' | 'boundary' | 'precision' | 'emptyPageEvery' | 'repeatTokenAfter' | 'endlessAfter' | 'echo'>
    >,
  ): void {
    const { faults, ...rest } = change;
    if (faults) this.faults.update(faults);
    Object.assign(this.options, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    if ('echo' in rest) this.options.echo = rest.echo ?? null;
    this.options.data.precision = this.options.precision;
  }

  /** The ids of the records this sandbox serves for an entity and window: what an export must land, exactly once each. */
  expectedIds(entity: string, updatedStart: string, updatedEnd: string): number[] {
    const [lo, hi] = indexRange(this.options.data, entity, Date.parse(updatedStart), Date.parse(updatedEnd) + (updatedEnd.length === 10 ? 86_399_999 : this.options.boundary === 'whole-seconds' ? 999 : 0));
    return Array.from({ length: hi - lo }, (_, k) => lo + k + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname === '/_sandbox/stats') {
      const served = this.requests.reduce((n, r) => n + (r.records ?? 0), 0);
      return sendJson(res, 200, { requests: this.requests.length, recordsServed: served });
    }
    const match = /^\/data\/v1\/([a-z_]+)\/?$/.exec(url.pathname);
    const entity = match?.[1] ?? '';
    const record: RecordedRequest = { method: req.method ?? '', entity, status: 0 };
    this.requests.push(record);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      sendJson(res, status, body, headers);
    };

    if (this.options.echo) {
      record.status = this.options.echo.status;
      return echoReply(req, res, this.options.echo);
    }
    if (!match || !isEntity(entity)) return reply(404, { message: `Unknown endpoint ${url.pathname}` });

    // Credentials first, as a real API gateway would; the message says which one is wrong.
    const school = req.headers['x-cg-school'];
    const secret = req.headers['x-cg-api-secret'];
    if (school !== this.options.school) return reply(401, { message: `Unknown school code '${String(school ?? '')}'` });
    if (secret !== this.options.apiSecret) return reply(401, { message: `Invalid API secret for school '${this.options.school}'` });

    const fault = this.faults.next();
    record.fault = fault;
    if (fault === '5xx') return reply(503, { message: 'Service temporarily unavailable (sandbox fault)' });
    if (fault === '429') {
      return reply(429, { message: 'Too many requests (sandbox fault)' }, { 'Retry-After': String(this.faults.settings.retryAfterSeconds) });
    }
    if (fault === 'slow') await sleep(this.faults.settings.slowMs);
    if (fault === 'reset' && req.method === 'POST') {
      record.status = -1;
      req.socket.destroy();
      return;
    }

    if (req.method === 'POST') return this.requestQuery(entity, url, reply);
    if (req.method === 'GET') return this.retrieve(entity, url, record, res, fault === 'reset', reply);
    return reply(405, { message: `Method ${req.method} not allowed` });
  }

  private requestQuery(entity: string, url: URL, reply: (s: number, b: unknown) => void): void {
    const start = url.searchParams.get('updatedStart');
    const end = url.searchParams.get('updatedEnd');
    const startMs = start ? Date.parse(start) : NaN;
    const endMs = end ? Date.parse(end) : NaN;
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
      return reply(400, { message: 'updatedStart and updatedEnd are required date-times' });
    }
    // A date alone as updatedEnd covers that whole day: the bounds are inclusive. Compared in
    // whole seconds, updatedEnd takes in its whole second.
    const endInclusive = end!.length === 10 ? endMs + 86_400_000 - 1 : this.options.boundary === 'whole-seconds' ? Math.floor(endMs / 1000) * 1000 + 999 : endMs;
    const startInclusive = this.options.boundary === 'whole-seconds' ? Math.floor(startMs / 1000) * 1000 : startMs;
    const [lo, hi] = indexRange(this.options.data, entity, startInclusive, endInclusive);
    const queryId = randomUUID();
    this.queries.set(queryId, {
      entity,
      lo,
      hi,
      pollsLeft: this.options.pollsBeforeReady,
      neverReady: this.options.neverReady.includes(entity),
    });
    reply(200, { queryId });
  }

  private retrieve(
    entity: string,
    url: URL,
    record: RecordedRequest,
    res: ServerResponse,
    reset: boolean,
    reply: (s: number, b: unknown) => void,
  ): void {
    const queryId = url.searchParams.get('queryId') ?? '';
    const query = this.queries.get(queryId);
    record.queryId = queryId;
    if (!query || query.entity !== entity) return reply(404, { message: `Unknown queryId '${queryId}' for ${entity}` });
    const sizeParam = url.searchParams.get('size');
    const size = sizeParam === null ? MAX_PAGE : Number(sizeParam);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) return reply(400, { message: `size must be an integer from 1 to ${MAX_PAGE}` });

    if (query.neverReady) return reply(202, { message: 'Query is still running' });
    if (query.pollsLeft > 0) {
      query.pollsLeft--;
      return reply(202, { message: 'Query is still running' });
    }

    const token = url.searchParams.get('token') ?? undefined;
    record.token = token;
    let offset = query.lo;
    let page = 0;
    if (token !== undefined) {
      const decoded = decodeToken(token);
      if (!decoded || decoded.q !== queryId) return reply(400, { message: 'Invalid token' });
      offset = decoded.o;
      page = decoded.p ?? 0;
    }
    const o = this.options;
    const endless = o.endlessAfter > 0 && page >= o.endlessAfter;
    const empty = endless || (o.emptyPageEvery > 0 && page > 0 && page % o.emptyPageEvery === 0 && !decodeToken(token!)?.e);
    const stop = empty ? offset : Math.min(offset + size, query.hi);
    const results = [];
    for (let i = offset; i < stop; i++) results.push(recordAt(this.options.data, entity, i));
    const more = stop < query.hi || empty || (o.endlessAfter > 0 && page + 1 >= o.endlessAfter);
    let next = more ? encodeToken(queryId, stop, page + 1, empty) : undefined;
    // A server in a loop: past the Nth page it hands back the token it was given.
    if (o.repeatTokenAfter > 0 && page >= o.repeatTokenAfter && token !== undefined && next !== undefined) next = token;
    const body: Record<string, unknown> = { Results: results, ...(next ? { [o.tokenField]: next } : {}) };

    if (reset) {
      // Headers and half the body, then the connection drops: the client must not keep a partial page.
      const text = JSON.stringify(body);
      record.status = -1;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
      return;
    }
    record.records = results.length;
    if (o.pageLatencyMs > 0) setTimeout(() => reply(200, body), o.pageLatencyMs);
    else reply(200, body);
  }
}
