import type { Page } from '@playwright/test';
import { test, expect, unique } from '../fixtures';

// SMS processing, live events and refetches: a busy machine needs longer than the default.
test.describe.configure({ timeout: 120_000 });

interface Frame {
  id?: string;
  type?: string;
  payload?: { query?: string };
}

function frame(payload: string | Buffer): Frame {
  try {
    return typeof payload === 'string' ? (JSON.parse(payload) as Frame) : {};
  } catch {
    return {};
  }
}

/**
 * Whether the page's PaymentChanges subscription has had its first event (then an SMS sent now cannot be missed);
 * `since`: only a subscription started after that many (a page change restarts it).
 */
function paymentChangesLive(page: Page): { live: (since?: number) => boolean; started: () => number } {
  const subscriptions: string[] = [];
  const answered = new Set<string>();
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      const sent = frame(payload);
      if (sent.type === 'subscribe' && sent.id && sent.payload?.query?.includes('PaymentChanges')) {
        subscriptions.push(sent.id);
      }
    });
    socket.on('framereceived', ({ payload }) => {
      const received = frame(payload);
      if (received.type === 'next' && received.id) answered.add(received.id);
    });
  });
  return {
    live: (since = 0) => subscriptions.length > since && answered.has(subscriptions[subscriptions.length - 1]),
    started: () => subscriptions.length,
  };
}

test("a list's filters live in the URL and survive a reload", async ({ ownerPage: page }) => {
  await page.goto('/dashboard/payments');
  await page.getByLabel('Status').selectOption('OPEN');
  await page.getByLabel('From', { exact: true }).fill('2026-01-01');
  await expect(page).toHaveURL(/status=OPEN/);
  await expect(page).toHaveURL(/from=2026-01-01/);
  await page.reload();
  await expect(page.getByLabel('Status')).toHaveValue('OPEN');
  await expect(page.getByLabel('From', { exact: true })).toHaveValue('2026-01-01');
  const statuses = page.getByRole('table', { name: 'Payments' }).locator('td[data-label="Status"]');
  await expect(statuses.first()).toBeVisible();
  for (const status of await statuses.allTextContents()) expect(status).toBe('Open');

  // A shared link opens the same view.
  await page.goto('/dashboard/payments?status=PAID');
  await expect(page.getByLabel('Status')).toHaveValue('PAID');
});

test('after an SMS the open payments list and the balances change without a reload', async ({
  ownerPage: page,
  payments,
  sms,
}) => {
  const route = await sms.routeFor(page.request, '1.00');
  // One SMS pays it in full.
  const payment = await payments.create(page.request, {
    amount: '1.00',
    currency: 'USD',
    description: `E2E lists live ${unique()}`,
  });
  const send = () =>
    sms.deliver(page.request, {
      from: sms.phone(),
      to: route.shortCode,
      text: payment.reference,
      country: route.country,
    });

  // The subscription opens with the latest SMS: make sure there is one, so its first event says it is live.
  const warmUp = await payments.create(page.request, {
    amount: '50.00',
    currency: 'USD',
    description: `E2E lists live warm-up ${unique()}`,
  });
  await sms.deliver(page.request, {
    from: sms.phone(),
    to: route.shortCode,
    text: warmUp.reference,
    country: route.country,
  });

  const changes = paymentChangesLive(page);

  await page.goto('/dashboard/payments?status=OPEN');
  const row = page.getByRole('table', { name: 'Payments' }).getByRole('row').filter({ hasText: payment.reference });
  await expect(row).toContainText('Open');
  await expect.poll(() => changes.live(), { timeout: 30_000 }).toBe(true);
  await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'still here'));
  await send();
  // Paid, it leaves the list of open payments.
  await expect(row).toHaveCount(0, { timeout: 30_000 });

  // The unfiltered list shows it paid; the overview's balances follow the next SMS.
  await page.getByLabel('Status').selectOption('');
  await expect(row).toContainText('Paid');
  const second = await payments.create(page.request, {
    amount: '1.00',
    currency: 'USD',
    description: `E2E lists live balance ${unique()}`,
  });
  const subscribedBefore = changes.started();
  await page.getByRole('link', { name: 'Overview' }).first().click();
  const balances = page.getByRole('list', { name: 'Balances' });
  await expect(balances).toBeVisible({ timeout: 30_000 });
  // The overview opens its own subscription: wait for it, and for the balances it first refetches.
  await expect.poll(() => changes.live(subscribedBefore), { timeout: 30_000 }).toBe(true);
  await page.waitForLoadState('networkidle');
  const before = (await balances.textContent()) ?? '';
  await sms.deliver(page.request, {
    from: sms.phone(),
    to: route.shortCode,
    text: second.reference,
    country: route.country,
  });
  await expect(balances).not.toHaveText(before, { timeout: 30_000 });
  await expect(balances).toContainText('Available · USD');
  expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('still here');
});
