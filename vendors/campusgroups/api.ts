import { HttpStatusError, TransientError } from '../../lambdas/errors.js';
import { httpRequest, type RetryPolicy } from '../../lambdas/http.js';
import { scrub, type Logger } from '../../lambdas/log.js';
import { CampusGroupsAuthError, CampusGroupsProtocolError } from './errors.js';
import type { TimeRange } from './plan.js';

export interface CampusGroupsCredentials {
  schoolCode: string;
  apiSecret: string;
}

export type PageAnswer = { ready: false } | { ready: true; results: unknown[]; nextToken?: string };

export const DEFAULT_BASE_URL = 'https://{school}.service.campusgroups.com/data/v1';

/** The Data Export API: POST a query, GET it until 200, then follow NextToken. */
export class CampusGroupsApi {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly credentials: CampusGroupsCredentials,
    private readonly secretId: string,
    private readonly log?: Logger,
    private readonly policy?: RetryPolicy,
  ) {
    this.base = baseUrl.replace('{school}', encodeURIComponent(credentials.schoolCode)).replace(/\/+$/, '');
  }

  private get headers(): Record<string, string> {
    return {
      'X-CG-API-Secret': this.credentials.apiSecret,
      'X-CG-School': this.credentials.schoolCode,
      Accept: 'application/json',
    };
  }

  private async call(method: 'GET' | 'POST', entity: string, params: Record<string, string | undefined>) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
    try {
      return await httpRequest(
        { method, url: `${this.base}/${entity}?${query.toString()}`, headers: this.headers },
        { policy: this.policy, log: this.log },
      );
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) {
        const said = serverMessage(error.body);
        throw new CampusGroupsAuthError(
          `CampusGroups refused the credentials for school code '${this.credentials.schoolCode}' (HTTP ${error.status}${said ? `: ${said}` : ''}). ` +
            `Check schoolCode and apiSecret in secret '${this.secretId}'.`,
        );
      }
      throw error;
    }
  }

  async requestQuery(entity: string, window: TimeRange): Promise<string> {
    const res = await this.call('POST', entity, { updatedStart: window.start, updatedEnd: window.end });
    const body = parseJson(res.text, `POST /${entity}`);
    const queryId = (body as { queryId?: unknown }).queryId;
    if (typeof queryId !== 'string' || queryId.length === 0) {
      throw new CampusGroupsProtocolError(`POST /${entity} answered HTTP ${res.status} without a queryId`);
    }
    return queryId;
  }

  async fetchPage(entity: string, queryId: string, token: string | undefined, size: number): Promise<PageAnswer> {
    const res = await this.call('GET', entity, { queryId, token, size: String(size) });
    if (res.status === 202) return { ready: false };
    const body = parseJson(res.text, `GET /${entity}`) as { Results?: unknown; NextToken?: unknown };
    if (!Array.isArray(body.Results)) {
      throw new CampusGroupsProtocolError(`GET /${entity} (query ${queryId}) answered HTTP ${res.status} without a Results list`);
    }
    const nextToken = typeof body.NextToken === 'string' && body.NextToken.length > 0 ? body.NextToken : undefined;
    return { ready: true, results: body.Results, nextToken };
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A body cut short by a proxy reads as broken JSON; the same request usually succeeds again.
    throw new TransientError(`${what} answered with a body that is not JSON (${text.length} bytes)`);
  }
}

function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    const msg = parsed.message ?? parsed.error;
    if (typeof msg === 'string') return scrub(msg.slice(0, 200));
  } catch {
    // not JSON: fall through to the raw text
  }
  return scrub(body.slice(0, 200));
}
