import { calendarDaysBetween, dateIn } from '../../lambdas/format.js';
import { HttpStatusError } from '../../lambdas/errors.js';
import { EtlError } from '../../lambdas/errors.js';
import { httpRequest } from '../../lambdas/http.js';
import { parseVendorJson } from '../../lambdas/json.js';
import type { Logger } from '../../lambdas/log.js';
import { vendorSaid } from '../../lambdas/redact.js';

/**
 * GoContractor's integration API, as far as public code shows it (DESIGN.md): GET
 * /api/v1/integration/{Worker|Account}?PageNumber=n (from 0), answering
 * {data: [...], pagination: {currentPage, numPages, nextPage}}. The auth header's name and the
 * page-size parameter are not officially documented, so both are configuration.
 */
export const GOCONTRACTOR_ENTITIES = { workers: 'Worker', accounts: 'Account' } as const;
export type GoContractorEntity = keyof typeof GOCONTRACTOR_ENTITIES;

export interface GoContractorSettings {
  baseUrl: string;
  authHeader: string;
  pageSizeParam: string;
  secretId: string;
}

export class GoContractorAuthError extends EtlError {
  constructor(message: string) {
    super('GoContractor.AuthorizationFailed', message);
  }
}

export interface Page {
  data: unknown[];
  nextPage: number | null;
  numPages: number;
}

export class GoContractorApi {
  constructor(
    private readonly settings: GoContractorSettings,
    private readonly apiKey: string,
    private readonly log?: Logger,
  ) {}

  async page(entity: GoContractorEntity, pageNumber: number, pageSize: number): Promise<Page> {
    const url = `${this.settings.baseUrl.replace(/\/+$/, '')}/api/v1/integration/${GOCONTRACTOR_ENTITIES[entity]}?PageNumber=${pageNumber}&${encodeURIComponent(this.settings.pageSizeParam)}=${pageSize}`;
    let res;
    try {
      res = await httpRequest({ method: 'GET', url, headers: { [this.settings.authHeader]: this.apiKey, Accept: 'application/json' } }, { log: this.log });
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) {
        throw new GoContractorAuthError(
          `GoContractor refused the API key from secret '${this.settings.secretId}' (HTTP ${error.status}${error.body ? `: ${vendorSaid(error.body)}` : ''}). ` +
            `Check in Settings › API Integrations that the key is active and not past its expiry date, that it is scoped to the projects ` +
            `whose ${entity} you export, and, for qualification data, that "Can Read Qualification Data" is enabled; also that the ` +
            `auth header name '${this.settings.authHeader}' is the one GoContractor expects.`,
        );
      }
      throw error;
    }
    const body = parseVendorJson(res.text) as { data?: unknown; pagination?: { currentPage?: number; numPages?: number; nextPage?: number | null } };
    if (!Array.isArray(body.data)) throw new EtlError('GoContractor.UnexpectedResponse', `GET ${GOCONTRACTOR_ENTITIES[entity]} page ${pageNumber} answered without a data list`);
    const p = body.pagination ?? {};
    const nextPage = typeof p.nextPage === 'number' ? p.nextPage : null;
    return { data: body.data, nextPage, numPages: p.numPages ?? 0 };
  }
}

/**
 * Calendar days from today in the district's time zone to a key's expiry date (YYYY-MM-DD),
 * or undefined without one. The key works through its expiry date: 0 on that day, negative after.
 */
export function daysToExpiry(expiresOn: string | undefined, now: number, timeZone: string): number | undefined {
  if (!expiresOn) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expiresOn) || Number.isNaN(Date.parse(`${expiresOn}T00:00:00Z`))) {
    throw new EtlError('Etl.Secret', `expiresOn in the GoContractor secret is not a date (YYYY-MM-DD): ${JSON.stringify(expiresOn)}`);
  }
  return calendarDaysBetween(dateIn(now, timeZone), expiresOn);
}

/** "today", "tomorrow", "in 5 days". */
export const inDays = (days: number): string => (days === 0 ? 'today (the last day it works)' : days === 1 ? 'tomorrow' : `in ${days} days`);
