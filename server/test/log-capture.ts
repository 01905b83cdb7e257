import { createLogger, type LogLevel } from '../src/common/log';
import type { DomainModule } from '../src/common/module';
import { startTestApp, type TestApp } from './harness';

/** What an app logged, as written: scan `text()` for what must never appear, read `lines()` for what must. */
export interface CapturedLogs {
  text(): string;
  lines(): Record<string, any>[];
}

/**
 * A logger like the production one (same redaction, same JSON) writing into memory. `trace` by default, so a scan
 * covers every line the app could write, not just those a production level lets through.
 */
export function captureLogs(level: LogLevel = 'trace') {
  const chunks: string[] = [];
  const log = createLogger({ level, destination: { write: (chunk: string) => void chunks.push(chunk) } });
  const logs: CapturedLogs = {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, any>),
  };
  return { log, logs };
}

/**
 * startTestApp with the app's logs captured: everything its requests log (request lines, resolvers' `ctx.log`,
 * routes' `req.log`). Background work outside a request logs through the process's root logger instead.
 */
export async function startTestAppWithLogs(
  env: Record<string, string> = {},
  extraModules: readonly DomainModule[] = [],
  level?: LogLevel,
): Promise<TestApp & { logs: CapturedLogs }> {
  const { log, logs } = captureLogs(level);
  const app = await startTestApp(env, extraModules, { log });
  return Object.assign(app, { logs });
}
