import { readFileSync } from 'node:fs';

/**
 * The deployment's one configuration file (README: "Deployment config"). Read and validated
 * at synth; a bad value stops synth with a message naming the field.
 */
export interface DeployConfig {
  stackName: string;
  timeZone: string;
  /** When the daily connection checks run (cron(), local time). */
  doctorSchedule: string;
  alarmEmail?: string;
  campusgroups: {
    enabled: boolean;
    /** EventBridge Scheduler cron(), in timeZone; never inside 02:00–02:59 local (skipped or doubled on DST days). */
    schedule: string;
    baseUrl: string;
    lookbackHours: number;
    windowDays: number;
    concurrency: number;
    pageSize: number;
    queryReadyTimeoutSeconds: number;
  };
  watermark: {
    enabled: boolean;
    /** Optional: a cron() that imports the newest _READY batch; S3 drops of _READY start runs anyway. */
    schedule: string | null;
    tokenUrl: string;
    audience: string;
    apiBaseUrl: string;
    maxPollSeconds: number;
  };
  gocontractor: {
    enabled: boolean;
    schedule: string;
    baseUrl: string;
    /** Not officially documented: the header that carries the API key. */
    authHeader: string;
    pageSize: number;
    expiryWarnDays: number;
  };
  samegoal: {
    enabled: boolean;
    /** sftp://host[:port] of the district's SameGoal SFTP account. */
    sftpUrl: string;
    /** The server's public host keys ("ssh-ed25519 AAAA…"), pinned by the connector and our Lambda. */
    trustedHostKeys: string[];
    transport: 'connector' | 'direct';
    mode: 'epoch' | 'auto';
    schedule: string | null;
    massChangePercent: number;
  };
}

export class DeployConfigError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'DeployConfigError';
  }
}

const CG_DEFAULTS: DeployConfig['campusgroups'] = {
  enabled: true,
  schedule: 'cron(30 1 * * ? *)',
  baseUrl: 'https://{school}.service.campusgroups.com/data/v1',
  lookbackHours: 48,
  windowDays: 31,
  concurrency: 4,
  pageSize: 999,
  queryReadyTimeoutSeconds: 3600,
};

const WM_DEFAULTS: DeployConfig['watermark'] = {
  enabled: true,
  schedule: null,
  tokenUrl: 'https://auth.watermarkinsights.com/oauth/token',
  audience: 'https://api.platform.watermarkinsights.com',
  apiBaseUrl: 'https://api.platform.watermarkinsights.com',
  maxPollSeconds: 6 * 3600,
};

const GC_DEFAULTS: DeployConfig['gocontractor'] = {
  enabled: false,
  schedule: 'cron(0 4 * * ? *)',
  baseUrl: 'https://integrations.gocontractor.com',
  authHeader: 'X-Api-Key',
  pageSize: 100,
  expiryWarnDays: 14,
};

const SG_DEFAULTS: DeployConfig['samegoal'] = {
  enabled: false,
  sftpUrl: '',
  trustedHostKeys: [],
  transport: 'connector',
  mode: 'epoch',
  schedule: null,
  massChangePercent: 10,
};

/** Hours a cron() hour field can fire at: numbers, lists, ranges, steps, or `*`. */
export function cronHours(field: string): Set<number> {
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [0, 23];
    else if (range!.includes('-')) [from, to] = range!.split('-').map(Number) as [number, number];
    else {
      from = Number(range);
      to = stepText === undefined ? from : 23;
    }
    if (![from, to, step].every(Number.isInteger) || from < 0 || to > 23 || from > to || step < 1) throw new Error(`bad hour field '${field}'`);
    for (let h = from; h <= to; h += step) hours.add(h);
  }
  return hours;
}

export function checkSchedule(file: string, field: string, expression: string): void {
  const match = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!match) throw new DeployConfigError(file, field, `must be a cron(minutes hours day-of-month month day-of-week year) expression, got '${expression}'`);
  let hours: Set<number>;
  try {
    hours = cronHours(match[2]!);
  } catch {
    throw new DeployConfigError(file, field, `has an hour field '${match[2]}' that is not 0-23, a list, a range or a step`);
  }
  if (hours.has(2)) {
    throw new DeployConfigError(file, field, `'${expression}' fires between 02:00 and 02:59 local time, which daylight saving skips or repeats; pick another hour`);
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseDeployConfig(text: string, file: string): DeployConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new DeployConfigError(file, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  const known = ['stackName', 'timeZone', 'alarmEmail', 'doctorSchedule', 'campusgroups', 'watermark', 'samegoal', 'gocontractor'];
  for (const key of Object.keys(raw)) if (!known.includes(key)) throw new DeployConfigError(file, key, `is not a known setting (known: ${known.join(', ')})`);

  const stackName = raw.stackName ?? 'SchoolEtlHub';
  if (typeof stackName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,60}$/.test(stackName)) {
    throw new DeployConfigError(file, 'stackName', `must be letters, digits and '-', starting with a letter, got ${JSON.stringify(stackName)}`);
  }
  const timeZone = raw.timeZone;
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) {
    throw new DeployConfigError(file, 'timeZone', `must be an IANA time zone such as America/Chicago, got ${JSON.stringify(timeZone)}`);
  }
  const alarmEmail = raw.alarmEmail;
  if (alarmEmail !== undefined && (typeof alarmEmail !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail))) {
    throw new DeployConfigError(file, 'alarmEmail', `must be an email address, got ${JSON.stringify(alarmEmail)}`);
  }

  const cgRaw = (raw.campusgroups ?? {}) as Record<string, unknown>;
  if (typeof cgRaw !== 'object' || Array.isArray(cgRaw)) throw new DeployConfigError(file, 'campusgroups', 'must be an object');
  const campusgroups = { ...CG_DEFAULTS };
  const limits: Record<string, [number, number]> = {
    lookbackHours: [1, 24 * 366],
    windowDays: [1, 366],
    concurrency: [1, 40],
    pageSize: [1, 999],
    queryReadyTimeoutSeconds: [60, 86_400],
  };
  for (const [key, value] of Object.entries(cgRaw)) {
    const field = `campusgroups.${key}`;
    if (!(key in CG_DEFAULTS)) throw new DeployConfigError(file, field, `is not a known setting (known: ${Object.keys(CG_DEFAULTS).join(', ')})`);
    if (key === 'enabled') {
      if (typeof value !== 'boolean') throw new DeployConfigError(file, field, 'must be true or false');
    } else if (key === 'schedule') {
      if (typeof value !== 'string') throw new DeployConfigError(file, field, 'must be a string');
      checkSchedule(file, field, value);
    } else if (key === 'baseUrl') {
      if (typeof value !== 'string' || !/^https:\/\/[^\s]+$/.test(value)) throw new DeployConfigError(file, field, `must be an https URL, got ${JSON.stringify(value)}`);
    } else {
      const [min, max] = limits[key]!;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw new DeployConfigError(file, field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      }
    }
    (campusgroups as Record<string, unknown>)[key] = value;
  }
  const wmRaw = (raw.watermark ?? {}) as Record<string, unknown>;
  if (typeof wmRaw !== 'object' || Array.isArray(wmRaw)) throw new DeployConfigError(file, 'watermark', 'must be an object');
  const watermark = { ...WM_DEFAULTS };
  for (const [key, value] of Object.entries(wmRaw)) {
    const field = `watermark.${key}`;
    if (!(key in WM_DEFAULTS)) throw new DeployConfigError(file, field, `is not a known setting (known: ${Object.keys(WM_DEFAULTS).join(', ')})`);
    if (key === 'enabled') {
      if (typeof value !== 'boolean') throw new DeployConfigError(file, field, 'must be true or false');
    } else if (key === 'schedule') {
      if (value !== null) {
        if (typeof value !== 'string') throw new DeployConfigError(file, field, 'must be a cron() string or null');
        checkSchedule(file, field, value);
      }
    } else if (key === 'maxPollSeconds') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > 86_400) throw new DeployConfigError(file, field, `must be an integer from 60 to 86400, got ${JSON.stringify(value)}`);
    } else if (typeof value !== 'string' || !/^https:\/\/[^\s]+$/.test(value)) {
      throw new DeployConfigError(file, field, `must be an https URL, got ${JSON.stringify(value)}`);
    }
    (watermark as Record<string, unknown>)[key] = value;
  }
  const sgRaw = (raw.samegoal ?? {}) as Record<string, unknown>;
  if (typeof sgRaw !== 'object' || Array.isArray(sgRaw)) throw new DeployConfigError(file, 'samegoal', 'must be an object');
  const samegoal = { ...SG_DEFAULTS };
  for (const [key, value] of Object.entries(sgRaw)) {
    const field = `samegoal.${key}`;
    if (!(key in SG_DEFAULTS)) throw new DeployConfigError(file, field, `is not a known setting (known: ${Object.keys(SG_DEFAULTS).join(', ')})`);
    const bad = (what: string) => new DeployConfigError(file, field, `must be ${what}, got ${JSON.stringify(value)}`);
    if (key === 'enabled' && typeof value !== 'boolean') throw bad('true or false');
    if (key === 'sftpUrl' && (typeof value !== 'string' || !/^sftp:\/\/[^\s/:]+(:\d+)?\/?$/.test(value))) throw bad('sftp://host or sftp://host:port');
    if (key === 'trustedHostKeys' && (!Array.isArray(value) || value.some((k) => typeof k !== 'string' || !/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/.test(k)))) {
      throw bad('a list of public host keys like "ssh-ed25519 AAAA…"');
    }
    if (key === 'transport' && value !== 'connector' && value !== 'direct') throw bad('"connector" or "direct"');
    if (key === 'mode' && value !== 'epoch' && value !== 'auto') throw bad('"epoch" or "auto"');
    if (key === 'massChangePercent' && (typeof value !== 'number' || value < 0 || value > 100)) throw bad('a percentage from 0 to 100');
    if (key === 'schedule' && value !== null) {
      if (typeof value !== 'string') throw bad('a cron() string or null');
      checkSchedule(file, field, value);
    }
    (samegoal as Record<string, unknown>)[key] = value;
  }
  if (samegoal.enabled && !samegoal.sftpUrl) throw new DeployConfigError(file, 'samegoal.sftpUrl', 'is needed when samegoal.enabled is true');
  if (samegoal.enabled && samegoal.trustedHostKeys.length === 0) {
    throw new DeployConfigError(file, 'samegoal.trustedHostKeys', 'needs at least one host key when samegoal.enabled is true: ask SameGoal for it, never trust on first use');
  }
  const gcRaw = (raw.gocontractor ?? {}) as Record<string, unknown>;
  if (typeof gcRaw !== 'object' || Array.isArray(gcRaw)) throw new DeployConfigError(file, 'gocontractor', 'must be an object');
  const gocontractor = { ...GC_DEFAULTS };
  for (const [key, value] of Object.entries(gcRaw)) {
    const field = `gocontractor.${key}`;
    if (!(key in GC_DEFAULTS)) throw new DeployConfigError(file, field, `is not a known setting (known: ${Object.keys(GC_DEFAULTS).join(', ')})`);
    const bad = (what: string) => new DeployConfigError(file, field, `must be ${what}, got ${JSON.stringify(value)}`);
    if (key === 'enabled' && typeof value !== 'boolean') throw bad('true or false');
    if (key === 'schedule') {
      if (typeof value !== 'string') throw bad('a cron() string');
      checkSchedule(file, field, value);
    }
    if (key === 'baseUrl' && (typeof value !== 'string' || !/^https:\/\/\S+$/.test(value))) throw bad('an https URL');
    if (key === 'authHeader' && (typeof value !== 'string' || !/^[A-Za-z0-9-]+$/.test(value))) throw bad('an HTTP header name');
    if ((key === 'pageSize' || key === 'expiryWarnDays') && (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000)) throw bad('an integer from 1 to 1000');
    (gocontractor as Record<string, unknown>)[key] = value;
  }
  const doctorSchedule = raw.doctorSchedule ?? 'cron(0 7 * * ? *)';
  if (typeof doctorSchedule !== 'string') throw new DeployConfigError(file, 'doctorSchedule', 'must be a cron() string');
  checkSchedule(file, 'doctorSchedule', doctorSchedule);
  return { stackName, timeZone, doctorSchedule, ...(alarmEmail ? { alarmEmail } : {}), campusgroups, watermark, samegoal, gocontractor };
}

export function loadDeployConfig(file: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf-8');
  } catch {
    throw new DeployConfigError(file, '(file)', 'cannot be read');
  }
  return parseDeployConfig(text, file);
}
