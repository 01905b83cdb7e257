import type { Page } from '@playwright/test';
import { test, expect, unique } from '../fixtures';

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
 * Whether the page's latest PaymentChanges subscription has had its first event (the latest SMS, sent at once):
 * then it is registered on the server, and an SMS sent after it cannot be missed.
 */
function paymentChangesLive(page: Page): () => boolean {
  let latest: string | undefined;
  const answered = new Set<string>();
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      const sent = frame(payload);
      if (sent.type === 'subscribe' && sent.payload?.query?.includes('PaymentChanges')) latest = sent.id;
    });
    socket.on('framereceived', ({ payload }) => {
      const received = frame(payload);
      if (received.type === 'next' && received.id) answered.add(received.id);
    });
  });
  return () => latest !== undefined && answered.has(latest);
}

test("the dashboard's payments list and payment page follow SMS live, without a reload", async ({
  ownerPage: page,
  payments,
  sms,
}) => {
  // Several SMS are needed, so each one moves the amount received of a payment still open.
  const route = await sms.routeFor(page.request, '1.00');
  const payment = await payments.create(page.request, {
    amount: '50.00',
    currency: 'USD',
    description: `E2E live payment ${unique()}`,
  });
  const phone = sms.phone();
  const send = (text: string) =>
    sms.deliver(page.request, { from: phone, to: route.shortCode, text, country: route.country });
  await send(payment.reference);

  const live = paymentChangesLive(page);
  await page.goto('/dashboard/payments');
  const row = page.getByRole('table', { name: 'Payments' }).getByRole('row').filter({ hasText: payment.reference });
  await expect(row).toContainText('Partially paid');
  const received = row.locator('td[data-label="Received"]');
  const before = (await received.textContent()) ?? '';
  await expect.poll(live).toBe(true);
  // A marker on the window survives only if the page is never reloaded.
  await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'still here'));

  await send(`${payment.reference} 2`);
  await expect(received).not.toHaveText(before);

  // The payment page lists its SMS; a new one appears there by itself.
  await row.getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(payment.reference);
  const lines = page.getByRole('table', { name: 'SMS of this payment' }).getByRole('row');
  await expect(lines.filter({ hasText: `${payment.reference} 2` })).toHaveCount(1);
  await expect.poll(live).toBe(true);
  await send(`${payment.reference} 3`);
  await expect(lines.filter({ hasText: `${payment.reference} 3` })).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('still here');
});
