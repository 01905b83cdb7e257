import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Paths the logger blanks wherever they appear in a logged object (one level of nesting for the field names): a
 * safety net under the request serializers, which already leave these headers out.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-tollgate-signature"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-tollgate-signature"]',
  ...['password', 'apiKey', 'token', 'sessionToken', 'secret', 'signature', 'variables'].flatMap((field) => [
    field,
    `*.${field}`,
  ]),
];

/** LOG_LEVEL if it names a level; otherwise the mode's default: quiet under tests, `info` elsewhere. */
export function logLevelFrom(env: Record<string, string | undefined>): LogLevel {
  const wanted = env.LOG_LEVEL?.trim().toLowerCase();
  if (wanted && (LOG_LEVELS as readonly string[]).includes(wanted)) return wanted as LogLevel;
  return env.NODE_ENV === 'test' ? 'silent' : 'info';
}

/** A JSON logger with the redactions; writes to stdout unless given a destination (tests capture one). */
export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? logLevelFrom(process.env),
      redact: { paths: REDACT, censor: '[Redacted]' },
      // ISO times read better than epoch milliseconds, and log shippers parse both.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/**
 * The process's root logger, for what runs outside a request (startup, workers, sweepers). Requests log through a
 * child bound to their request id: `req.log` in routes, `ctx.log` in resolvers.
 */
export const log: Logger = createLogger();
