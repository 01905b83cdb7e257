import { defineConfig, devices } from '@playwright/test';

/** The built server (API + SPA) on its own port and a fresh SQLite file, migrated and seeded with the demo logins. */
const port = Number(process.env.E2E_PORT ?? 4173);
const baseURL = `http://localhost:${port}`;
/** The mail listener's SMTP port (the server sends there) and its mailbox port (specs read mail there). */
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? port + 1);
const mailboxPort = Number(process.env.E2E_MAILBOX_PORT ?? port + 2);
process.env.E2E_MAILBOX_PORT = String(mailboxPort);

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  // Generous: the specs wait for what a person would see, and CI's two cores may also be busy elsewhere.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    ...devices['Desktop Chrome'],
    baseURL,
    browserName: 'chromium',
    // Debian's Chromium: no browser is ever downloaded. The network flags keep it from dialling out on a closed network.
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: [
    {
      // A real SMTP listener for the server's mail (confirmation codes), up before the server.
      command: 'exec node fixtures/mail-listener.mjs',
      url: `http://127.0.0.1:${mailboxPort}/messages`,
      reuseExistingServer: false,
      timeout: 20_000,
      env: { E2E_SMTP_PORT: String(smtpPort), E2E_MAILBOX_PORT: String(mailboxPort) },
    },
    {
      // The database file is deleted first, so every run starts from the seed alone.
      command: 'rm -rf .data && mkdir -p .data && exec node ../server/dist/main.js --seed',
      url: `${baseURL}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        NODE_ENV: 'test',
        PORT: String(port),
        PUBLIC_URL: baseURL,
        DATABASE_URL: '.data/e2e.sqlite',
        WEB_DIST: '../web/dist',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        // The shortest the platform allows (whole hours): destinations are usable once confirmed.
        PAYOUT_COOL_OFF_HOURS: '0',
      },
    },
  ],
});
