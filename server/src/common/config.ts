import net from 'node:net';
import path from 'node:path';
import { electronicFormatIBAN, isValidBIC, isValidIBAN } from './iban';
import { LOG_LEVELS, logLevelFrom, type LogLevel } from './log';

/** Thrown at start when an environment variable is missing or malformed; main prints its one line and exits. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Mode = 'development' | 'test' | 'production';

export interface Config {
  mode: Mode;
  port: number;
  publicUrl: string;
  /** `{ kind: 'sqlite', path }` or `{ kind: 'postgresql', url }`. */
  database: { kind: 'sqlite'; path: string } | { kind: 'postgresql'; url: string };
  /** Connections per pool (DATABASE_POOL_SIZE, PostgreSQL): the API and the workers each have one. */
  databasePoolSize: number;
  /**
   * Longest a single SQL statement of an API request may run (API_STATEMENT_TIMEOUT_MS, PostgreSQL; 0: no limit).
   * Workers and an admin's ledger check are not bounded.
   */
  apiStatementTimeoutMs: number;
  redisUrl: string | null;
  /**
   * RATE_LIMIT_SCALE: multiplies every request budget of the public operations (common/rate-limit.ts RATE_LIMITS),
   * e.g. 4 where many payers share one carrier address; default 1. Budgets are shared through Redis when REDIS_URL
   * is set, per process otherwise.
   */
  rateLimitScale: number;
  smtpUrl: string | null;
  mailFrom: string;
  /** Signs session cookies and other server-issued tokens. */
  sessionSecret: string;
  webDist: string | null;
  /**
   * ALLOW_PRIVATE_CALLBACK_URLS: whether merchant-supplied URLs (Result URLs, webhook endpoints) may reach loopback,
   * private, link-local and other internal addresses. Default true in development and test (merchants' servers on
   * localhost), false in production, where such a URL would let a merchant probe our network (SSRF).
   */
  allowPrivateCallbackUrls: boolean;
  /** OUTBOX_RETENTION_DAYS (default 30): delivered outbox messages and their attempts are deleted this long after. */
  outboxRetentionDays: number;
  /** WEBHOOK_RETENTION_DAYS (default 30): webhook events all of whose deliveries succeeded are deleted after this. */
  webhookRetentionDays: number;
  /**
   * WEBHOOK_FAILED_RETENTION_DAYS (default 90): an event with a delivery that was given up is kept this long after
   * the last attempt, so the merchant can still see it and replay it.
   */
  webhookFailedRetentionDays: number;
  /** The SMSC Tollgate binds to as an ESME (`smpp://system_id:password@host:2775`); null: no SMPP link. */
  smppUrl: string | null;
  /** ISO country of payers whose SMS arrive over SMPP; PDUs carry none. Required with SMPP_URL. */
  smppDefaultCountry: string | null;
  /** The mobile operator behind the SMSC, for tariffs; null when it serves several or is unknown. */
  smppOperator: string | null;
  /**
   * SMPP_REDELIVERY_WINDOW_SECONDS (default 600, 0 to 86400): an SMS whose SMSC gives it no id is known by a hash of
   * its content, so a copy within this window of the first is the SMSC delivering it again (counted once), and a
   * copy after it is the payer sending the same text again (a new SMS). Longer than the SMSC's redelivery period,
   * shorter than a payer takes to buy twice.
   */
  smppRedeliveryWindowSeconds: number;
  /**
   * SMPP_PART_TIMEOUT_SECONDS (default 120, 1 to 86400): how long the parts of a concatenated SMS wait for the
   * missing ones; then each part that came is passed on as an SMS of its own.
   */
  smppPartTimeoutSeconds: number;
  /** SMS rails: the aggregator's HMAC secret for `POST /sms/inbound` and for signing replies to `smsSendUrl`. */
  smsWebhookSecret: string;
  /** Source IPs or CIDR ranges allowed to call the SMS webhook; empty: any (the signature still applies). */
  smsWebhookAllowedIps: string[];
  /** Provider name the webhook's SMS are stored under ('http:<name>'); message ids are unique per provider. */
  smsWebhookProvider: string;
  /** Where replies to 'http:' SMS are POSTed (signed like the webhook); null: such replies cannot be sent. */
  smsSendUrl: string | null;
  /**
   * LOG_LEVEL: the least severe level logged (fatal, error, warn, info, debug, trace, silent); default `info`, and
   * `silent` under NODE_ENV=test. Logs are JSON lines on stdout, one per event, with `reqId` on a request's lines.
   */
  logLevel: LogLevel;
  /**
   * METRICS_TOKEN: `GET /metrics` (Prometheus text format, on the public port) answers only a scraper that sends
   * `Authorization: Bearer <token>`, anyone else 401; unset, metrics are off and `/metrics` is 404 in every mode.
   * At least 16 characters. (A token rather than a second port: one port to expose, and the load balancer may keep
   * `/metrics` internal too.)
   */
  metricsToken: string | null;
  /**
   * PAYOUT_COOL_OFF_HOURS (default 24, 0 to 8760): how long a payout destination waits, after it is added or changed,
   * before a withdrawal may use it. The platform minimum: a merchant may lengthen it, never shorten it.
   */
  payoutCoolOffHours: number;
  /**
   * The account payouts leave from, named in SEPA files: PAYOUT_DEBTOR_NAME, PAYOUT_DEBTOR_IBAN, PAYOUT_DEBTOR_BIC
   * (all three, IBAN and BIC validated); outside production a test account when unset; null: SEPA export refused.
   */
  payoutDebtor: { name: string; iban: string; bic: string } | null;
  /**
   * CARD_PROCESSOR (default `test`): the card processor adapter the card rail uses, by the name a module registers
   * it under (modules/card/README.md); `test` is the test processor inside Tollgate, which takes only its test cards.
   */
  cardProcessor: string;
}

type Env = Record<string, string | undefined>;

const DEV_SECRET = 'tollgate-development-secret-do-not-use-in-production';

export function loadConfig(env: Env = process.env): Config {
  const mode = parseMode(env.NODE_ENV);
  const port = parsePort(env.PORT ?? '4000');
  const publicUrl = parseUrl('PUBLIC_URL', env.PUBLIC_URL ?? `http://localhost:${port}`, ['http:', 'https:']);
  const database = parseDatabase(env.DATABASE_URL ?? 'data/tollgate.sqlite');
  const databasePoolSize = parseInteger('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE ?? '10', 2, 1000);
  const apiStatementTimeoutMs = parseInteger(
    'API_STATEMENT_TIMEOUT_MS',
    env.API_STATEMENT_TIMEOUT_MS ?? '10000',
    0,
    3_600_000,
  );
  const redisUrl = env.REDIS_URL ? parseUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']) : null;
  const smtpUrl = env.SMTP_URL ? parseUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']) : null;
  const mailFrom = env.MAIL_FROM ?? 'Tollgate <no-reply@tollgate.local>';
  if (!/^[^<>]*<?[^@\s<>]+@[^@\s<>]+>?$/.test(mailFrom)) {
    throw new ConfigError(
      'MAIL_FROM',
      `expected an email address like "Tollgate <no-reply@example.com>", got "${mailFrom}"`,
    );
  }
  const sessionSecret = env.SESSION_SECRET ?? (mode === 'production' ? '' : DEV_SECRET);
  if (!sessionSecret) throw new ConfigError('SESSION_SECRET', 'is required in production (32 or more characters)');
  if (sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters long');
  const webDist = env.WEB_DIST === '' ? null : path.resolve(env.WEB_DIST ?? path.join(__dirname, '../../../web/dist'));
  const smppUrl = env.SMPP_URL ? parseSmppUrl(env.SMPP_URL) : null;
  const smppDefaultCountry = env.SMPP_DEFAULT_COUNTRY ? env.SMPP_DEFAULT_COUNTRY.toUpperCase() : null;
  if (smppDefaultCountry !== null && !/^[A-Z]{2}$/.test(smppDefaultCountry)) {
    throw new ConfigError('SMPP_DEFAULT_COUNTRY', `expected an ISO code like "DE", got "${smppDefaultCountry}"`);
  }
  if (smppUrl && !smppDefaultCountry) throw new ConfigError('SMPP_DEFAULT_COUNTRY', 'is required when SMPP_URL is set');
  const smppOperator = env.SMPP_OPERATOR?.trim() || null;
  const smppRedeliveryWindowSeconds = parseInteger(
    'SMPP_REDELIVERY_WINDOW_SECONDS',
    env.SMPP_REDELIVERY_WINDOW_SECONDS ?? '600',
    0,
    86_400,
  );
  const smppPartTimeoutSeconds = parseInteger(
    'SMPP_PART_TIMEOUT_SECONDS',
    env.SMPP_PART_TIMEOUT_SECONDS ?? '120',
    1,
    86_400,
  );
  return {
    mode,
    port,
    publicUrl,
    database,
    databasePoolSize,
    apiStatementTimeoutMs,
    redisUrl,
    rateLimitScale: parseScale(env.RATE_LIMIT_SCALE ?? '1'),
    smtpUrl,
    mailFrom,
    sessionSecret,
    webDist,
    smppUrl,
    smppDefaultCountry,
    smppOperator,
    smppRedeliveryWindowSeconds,
    smppPartTimeoutSeconds,
    ...parseOutbound(env, mode),
    ...parseSms(env, mode),
    ...parseObservability(env),
    ...parsePayouts(env, mode),
    cardProcessor: parseCardProcessor(env.CARD_PROCESSOR),
  };
}

function parseCardProcessor(value: string | undefined): string {
  const name = value?.trim() || 'test';
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(name)) {
    throw new ConfigError('CARD_PROCESSOR', `expected an adapter name like "test", got "${name}"`);
  }
  return name;
}

function parsePayouts(env: Env, mode: Mode): Pick<Config, 'payoutCoolOffHours' | 'payoutDebtor'> {
  const payoutCoolOffHours = parseInteger('PAYOUT_COOL_OFF_HOURS', env.PAYOUT_COOL_OFF_HOURS ?? '24', 0, 8760);
  const named = [env.PAYOUT_DEBTOR_NAME, env.PAYOUT_DEBTOR_IBAN, env.PAYOUT_DEBTOR_BIC].map((value) => value?.trim());
  if (named.some(Boolean) && !named.every(Boolean)) {
    throw new ConfigError(
      'PAYOUT_DEBTOR_IBAN',
      'set PAYOUT_DEBTOR_NAME, PAYOUT_DEBTOR_IBAN and PAYOUT_DEBTOR_BIC together',
    );
  }
  const [name, iban, bic] = named.every(Boolean)
    ? (named as string[])
    : mode === 'production'
      ? [null, null, null]
      : ['Tollgate Test Payouts', 'DE89370400440532013000', 'COBADEFFXXX'];
  if (!name || !iban || !bic) return { payoutCoolOffHours, payoutDebtor: null };
  const electronic = electronicFormatIBAN(iban) ?? '';
  if (!isValidIBAN(electronic)) throw new ConfigError('PAYOUT_DEBTOR_IBAN', `"${iban}" is not a valid IBAN`);
  if (!isValidBIC(bic.toUpperCase())) throw new ConfigError('PAYOUT_DEBTOR_BIC', `"${bic}" is not a valid BIC`);
  if (name.length > 70) throw new ConfigError('PAYOUT_DEBTOR_NAME', 'use at most 70 characters');
  return { payoutCoolOffHours, payoutDebtor: { name, iban: electronic, bic: bic.toUpperCase() } };
}

function parseObservability(env: Env) {
  const wanted = env.LOG_LEVEL?.trim().toLowerCase();
  if (wanted && !(LOG_LEVELS as readonly string[]).includes(wanted)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  if (metricsToken !== null && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters long');
  }
  return { logLevel: logLevelFrom(env), metricsToken };
}

function parseOutbound(env: Env, mode: Mode) {
  const allow = env.ALLOW_PRIVATE_CALLBACK_URLS?.trim().toLowerCase();
  if (allow && allow !== 'true' && allow !== 'false') {
    throw new ConfigError('ALLOW_PRIVATE_CALLBACK_URLS', `expected true or false, got "${allow}"`);
  }
  const days = (variable: string, fallback: number) => {
    const value = env[variable]?.trim() || String(fallback);
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 36_500) {
      throw new ConfigError(variable, `expected a number of days from 1 to 36500, got "${value}"`);
    }
    return Number(value);
  };
  return {
    allowPrivateCallbackUrls: allow ? allow === 'true' : mode !== 'production',
    outboxRetentionDays: days('OUTBOX_RETENTION_DAYS', 30),
    webhookRetentionDays: days('WEBHOOK_RETENTION_DAYS', 30),
    webhookFailedRetentionDays: days('WEBHOOK_FAILED_RETENTION_DAYS', 90),
  };
}

const DEV_SMS_SECRET = 'tollgate-development-sms-webhook-secret';

function parseSms(env: Env, mode: Mode) {
  const smsWebhookSecret = env.SMS_WEBHOOK_SECRET ?? (mode === 'production' ? '' : DEV_SMS_SECRET);
  if (!smsWebhookSecret)
    throw new ConfigError('SMS_WEBHOOK_SECRET', 'is required in production (16 or more characters)');
  if (smsWebhookSecret.length < 16) throw new ConfigError('SMS_WEBHOOK_SECRET', 'must be at least 16 characters long');
  const smsWebhookAllowedIps = (env.SMS_WEBHOOK_ALLOWED_IPS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of smsWebhookAllowedIps) {
    const [address, prefix, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    const bits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= bits))) {
      throw new ConfigError('SMS_WEBHOOK_ALLOWED_IPS', `expected IP addresses or CIDR ranges, got "${entry}"`);
    }
  }
  const smsWebhookProvider = env.SMS_WEBHOOK_PROVIDER ?? 'http:aggregator';
  if (!/^http:[a-z0-9][a-z0-9._-]{0,40}$/i.test(smsWebhookProvider)) {
    throw new ConfigError('SMS_WEBHOOK_PROVIDER', `expected "http:<name>", got "${smsWebhookProvider}"`);
  }
  const smsSendUrl = env.SMS_SEND_URL ? parseUrl('SMS_SEND_URL', env.SMS_SEND_URL, ['http:', 'https:']) : null;
  return { smsWebhookSecret, smsWebhookAllowedIps, smsWebhookProvider, smsSendUrl };
}

function parseScale(value: string): number {
  const scale = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(scale > 0) || scale > 1000) {
    throw new ConfigError(
      'RATE_LIMIT_SCALE',
      `expected a number above 0 and at most 1000, like 1 or 0.5, got "${value}"`,
    );
  }
  return scale;
}

function parseMode(value: string | undefined): Mode {
  const mode = value ?? 'development';
  if (mode === 'development' || mode === 'test' || mode === 'production') return mode;
  throw new ConfigError('NODE_ENV', `expected development, test or production, got "${mode}"`);
}

function parseInteger(variable: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new ConfigError(variable, `expected a whole number from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `expected a TCP port number (0-65535), got "${value}"`);
  }
  return port;
}

function parseUrl(variable: string, value: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, `expected a URL, got "${value}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(variable, `expected a ${protocols.join(' or ')} URL, got "${value}"`);
  }
  return value.replace(/\/$/, '');
}

function parseSmppUrl(value: string): string {
  const url = parseUrl('SMPP_URL', value, ['smpp:', 'ssmpp:']);
  const { username, hostname } = new URL(url);
  if (!username || !hostname) {
    throw new ConfigError('SMPP_URL', 'expected smpp://system_id:password@host:port (system_id and host are required)');
  }
  return url;
}

function parseDatabase(value: string): Config['database'] {
  if (/^postgres(ql)?:\/\//.test(value)) {
    const url = parseUrl('DATABASE_URL', value, ['postgres:', 'postgresql:']);
    if (!new URL(url).pathname.slice(1))
      throw new ConfigError('DATABASE_URL', 'names no database (postgres://host/DBNAME)');
    return { kind: 'postgresql', url };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError('DATABASE_URL', `expected a postgres:// URL or a SQLite file path, got "${value}"`);
  }
  const file = value.replace(/^(sqlite|file):/, '');
  if (!file) throw new ConfigError('DATABASE_URL', 'is empty');
  return { kind: 'sqlite', path: file === ':memory:' ? file : path.resolve(file) };
}
