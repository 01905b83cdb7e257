import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', 'src/main.ts'],
      { cwd: path.resolve(__dirname, '..'), env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
    );
  });
}

describe('server start', () => {
  it('stops with one line naming the variable when the configuration is bad', async () => {
    const { code, stderr } = await start({ PORT: 'eighty', DATABASE_URL: ':memory:' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'Configuration error: PORT: expected a TCP port number (0-65535), got "eighty"',
    ]);
  });

  it('refuses to start in production without a session secret', async () => {
    const { code, stderr } = await start({ NODE_ENV: 'production', DATABASE_URL: ':memory:' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'Configuration error: SESSION_SECRET: is required in production (32 or more characters)',
    );
  });
});
