import { test, expect } from '../fixtures';

test('an endpoint added in the dashboard receives a signed test event, shown as delivered', async ({
  ownerPage: page,
  receiver,
}) => {
  await page.goto('/dashboard/webhooks');
  const form = page.getByRole('form', { name: 'Add webhook endpoint' });
  await form.getByLabel('URL').fill(receiver.url);
  await form.getByLabel('Event types').fill('payment.succeeded, payment.cancelled');
  await form.getByRole('button', { name: 'Add endpoint' }).click();

  const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^whsec_/);
  await page.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('link', { name: `Open ${receiver.url}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Webhook endpoint' })).toBeVisible();
  await page.getByRole('button', { name: 'Send test event' }).click();

  const deliveries = page.getByRole('table', { name: 'Deliveries' });
  const row = deliveries.getByRole('row').filter({ hasText: 'webhook.test' });
  await expect(row).toContainText('delivered', { timeout: 15_000 });
  expect(receiver.received.some((event) => event.body.type === 'webhook.test')).toBe(true);
  expect(receiver.received[0]?.headers['x-tollgate-signature']).toBeTruthy();
});

test('a bad URL is refused beside its field', async ({ ownerPage: page }) => {
  await page.goto('/dashboard/webhooks');
  const form = page.getByRole('form', { name: 'Add webhook endpoint' });
  await form.getByLabel('URL').fill('not a url');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(form.locator('.field', { has: page.getByLabel('URL') }).getByRole('alert')).toContainText(
    'enter a full URL',
  );
});
