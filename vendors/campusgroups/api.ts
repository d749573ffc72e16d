import type { PageAnswer } from '../../lambdas/paged-export.js';
import { HttpStatusError, TransientError } from '../../lambdas/errors.js';
import { httpRequest, type RetryPolicy } from '../../lambdas/http.js';
import { parseVendorJson } from '../../lambdas/json.js';
import type { Logger } from '../../lambdas/log.js';
import { vendorSaid } from '../../lambdas/redact.js';
import { CampusGroupsAuthError, CampusGroupsProtocolError } from './errors.js';
import type { TimeRange } from './plan.js';

export interface CampusGroupsCredentials {
  schoolCode: string;
  apiSecret: string;
}


/**
 * The document spells the next page's token two ways: its prose says the body will include a
 * "nextToken", its sample shows "NextToken". Every spelling that differs only in case (or by an
 * underscore) is the token; a key that looks like a token but is none of these is not guessed at.
 */
const TOKEN_KEY = /^next_?token$/i;
const TOKEN_LIKE = /token|cursor|next|continu/i;

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

  async fetchPage(entity: string, queryId: string, token: string | undefined, size: number): Promise<PageAnswer<string>> {
    const res = await this.call('GET', entity, { queryId, token, size: String(size) });
    const where = `GET /${entity} (query ${queryId}${token ? ', with a token' : ', first page'})`;
    if (res.status === 202) return { ready: false };
    if (res.status !== 200) throw new CampusGroupsProtocolError(`${where} answered HTTP ${res.status}, which the document does not describe; the export stops rather than guess`);
    const body = parseJson(res.text, where);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new CampusGroupsProtocolError(`${where} answered HTTP 200 with ${Array.isArray(body) ? 'a list' : typeof body} instead of an object with Results`);
    const record = body as Record<string, unknown>;
    const resultsKey = Object.keys(record).find((k) => k.toLowerCase() === 'results');
    const results = resultsKey === undefined ? undefined : record[resultsKey];
    if (!Array.isArray(results)) {
      throw new CampusGroupsProtocolError(`${where} answered HTTP 200 without a Results list (keys: ${Object.keys(record).join(', ') || 'none'})`);
    }
    const tokenKeys = Object.keys(record).filter((k) => TOKEN_KEY.test(k));
    const unknown = Object.keys(record).filter((k) => k !== resultsKey && !TOKEN_KEY.test(k) && TOKEN_LIKE.test(k));
    if (unknown.length > 0 && !tokenKeys.some((k) => isToken(record[k]))) {
      throw new CampusGroupsProtocolError(`${where} answered with ${unknown.map((k) => `'${k}'`).join(', ')}, which looks like a next-page token under a name the document does not use; the export stops rather than read this page as the last`);
    }
    const tokens = [...new Set(tokenKeys.map((k) => record[k]).filter(isToken))];
    if (tokens.length > 1) throw new CampusGroupsProtocolError(`${where} answered two different next-page tokens (${tokenKeys.join(', ')}); the export stops rather than pick one`);
    for (const k of tokenKeys) {
      const v = record[k];
      if (v !== null && v !== undefined && v !== '' && !isToken(v)) throw new CampusGroupsProtocolError(`${where} answered ${k} as ${typeof v}, not a token string`);
    }
    return { ready: true, records: results, ...(tokens[0] ? { next: tokens[0] } : {}) };
  }
}

const isToken = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function parseJson(text: string, what: string): unknown {
  try {
    return parseVendorJson(text);
  } catch {
    // A body cut short by a proxy reads as broken JSON; the same request usually succeeds again.
    throw new TransientError(`${what} answered with a body that is not JSON (${text.length} bytes)`);
  }
}

function serverMessage(body: string): string {
  return vendorSaid(body);
}
