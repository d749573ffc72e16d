import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FaultPlan, NO_FAULTS, type FaultKind, type FaultOptions } from '../../../lambdas/sandbox/faults.js';
import { close, echoReply, listen, sendJson, type EchoMode } from '../../../lambdas/sandbox/http.js';
import { int64Id } from '../../../lambdas/sandbox/ids.js';

/**
 * A local GoContractor integration API in the shape public code shows: GET
 * /api/v1/integration/{Worker|Account}?PageNumber=n&PageSize=s with the key in a header,
 * answering {data, pagination: {currentPage, numPages, nextPage}}; 401 for an unknown key,
 * 403 for an inactive key or one not scoped to the data; faults as the other sandboxes.
 */
export const GC_SANDBOX_KEY = 'fake-gocontractor-api-key-for-local-runs';

export interface GoContractorSandboxOptions {
  port: number;
  apiKey: string;
  authHeader: string;
  workers: number;
  accounts: number;
  /**
   * Answer 403 as GoContractor does for a key that is inactive or lacks access to the projects:
   * on every endpoint (true), or on the listed ones only ('Worker', 'Account'), since a key's
   * permissions are set per kind of data.
   */
  forbidden: boolean | string[];
  /**
   * From this page on, answer nextPage equal to the current page (0: never). The public code
   * this API is known from only shows {currentPage, numPages, nextPage}; nothing promises a
   * nextPage after the current one, so a client must not trust it to be.
   */
  repeatPageAfter: number;
  /** Leave nextPage out of every answer: a client then has numPages alone to go on. */
  omitNextPage: boolean;
  /** Ids beyond 2^53 (record i has 2^53 + i, lambdas/sandbox/ids.ts): nothing in what this API is known from bounds an id. */
  int64Ids: boolean;
  /** Every endpoint answers this status, echoing the request's headers and body (null: off). */
  echo: EchoMode | null;
  faults: FaultOptions;
}

export class GoContractorSandbox {
  readonly options: GoContractorSandboxOptions;
  readonly requests: Array<{ path: string; page: number; status: number; fault?: FaultKind }> = [];
  private readonly faults: FaultPlan;
  private server?: Server;
  url = '';

  constructor(options: Partial<GoContractorSandboxOptions> = {}) {
    this.options = { port: 0, repeatPageAfter: 0, omitNextPage: false, int64Ids: false, echo: null, apiKey: GC_SANDBOX_KEY, authHeader: 'x-api-key', workers: 250, accounts: 40, forbidden: false, ...options, faults: { ...NO_FAULTS, ...options.faults } };
    this.faults = new FaultPlan(this.options.faults);
  }

  configure(change: Partial<Pick<GoContractorSandboxOptions, 'forbidden' | 'repeatPageAfter' | 'omitNextPage' | 'int64Ids' | 'echo'>> & { faults?: Partial<FaultOptions> }): void {
    if (change.int64Ids !== undefined) this.options.int64Ids = change.int64Ids;
    if ('echo' in change) this.options.echo = change.echo ?? null;
    if (change.forbidden !== undefined) this.options.forbidden = change.forbidden;
    if (change.repeatPageAfter !== undefined) this.options.repeatPageAfter = change.repeatPageAfter;
    if (change.omitNextPage !== undefined) this.options.omitNextPage = change.omitNextPage;
    if (change.faults) this.faults.update(change.faults);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.url = `http://127.0.0.1:${await listen(this.server, '127.0.0.1', this.options.port)}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.options.echo) {
      this.requests.push({ path: req.url ?? '', page: -1, status: this.options.echo.status });
      void echoReply(req, res, this.options.echo);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const page = Number(url.searchParams.get('PageNumber') ?? 0);
    const size = Math.min(Number(url.searchParams.get('PageSize') ?? 50), 500);
    const rec: { path: string; page: number; status: number; fault?: FaultKind } = { path: url.pathname, page, status: 0 };
    this.requests.push(rec);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      rec.status = status;
      sendJson(res, status, body, headers);
    };
    if (req.headers[this.options.authHeader.toLowerCase()] !== this.options.apiKey) return reply(401, { message: 'Invalid API key' });
    const forbidden = this.options.forbidden;
    if (forbidden === true || (Array.isArray(forbidden) && forbidden.includes(url.pathname.split('/').pop() ?? ''))) return reply(403, { message: 'API key is inactive or has no access to the requested projects' });
    const fault = this.faults.next();
    rec.fault = fault;
    if (fault === '5xx') return reply(500, { message: 'sandbox fault' });
    if (fault === '429') return reply(429, { message: 'slow down' }, { 'Retry-After': String(this.faults.settings.retryAfterSeconds) });
    if (fault === 'reset') {
      rec.status = -1;
      req.socket.destroy();
      return;
    }
    const kind = /\/api\/v1\/integration\/(Worker|Account)$/.exec(url.pathname)?.[1];
    if (!kind) return reply(404, { message: 'Not found' });
    const total = kind === 'Worker' ? this.options.workers : this.options.accounts;
    const numPages = Math.max(1, Math.ceil(total / size));
    const o = this.options;
    const data = [];
    for (let i = page * size; i < Math.min(total, (page + 1) * size); i++) {
      const id = o.int64Ids ? int64Id(i) : i + 1;
      data.push(
        kind === 'Worker'
          ? { id, firstName: `Worker${i + 1}`, lastName: 'Example', email: `worker${i + 1}@contractor.example`, accountId: (i % 40) + 1 }
          : { id, name: `Contractor ${i + 1} LLC`, status: i % 7 ? 'Active' : 'Inactive' },
      );
    }
    const nextPage = o.repeatPageAfter > 0 && page >= o.repeatPageAfter ? page : page + 1 < numPages ? page + 1 : null;
    reply(200, { data, pagination: { currentPage: page, numPages, ...(o.omitNextPage ? {} : { nextPage }) } });
  }
}
