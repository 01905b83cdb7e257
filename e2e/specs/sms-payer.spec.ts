import { test, expect, unique } from '../fixtures';

test('the payer page shows the expected SMS and ticks it off live when the signed webhook delivers it', async ({
  ownerPage: page,
  browser,
  payments,
  sms,
}) => {
  // SMS pay in USD: an amount one SMS of the demo catalogue reaches, and where to send that SMS.
  const route = await sms.routeFor(page.request, '1.00');
  const payment = await payments.create(page.request, {
    amount: '1.00',
    currency: 'USD',
    description: `E2E SMS payment ${unique()}`,
  });

  const payerContext = await browser.newContext();
  const payer = await payerContext.newPage();
  await payer.goto(new URL(payment.payerUrl).pathname);
  const line = payer.getByRole('listitem').filter({ hasText: payment.reference });
  await expect(line).toHaveCount(1);
  await expect(line).toContainText('To send');

  // The line names no short code: the payer picks a country and gets the one that pays with the fewest SMS.
  await line.getByLabel("Your phone's country").selectOption(route.country);
  await expect(line.getByRole('radio', { name: new RegExp(`^${route.shortCode}\\b`) })).toBeChecked();
  await expect(line.getByRole('button', { name: 'Copy short code' })).toBeVisible();
  await expect(line.getByRole('button', { name: 'Copy text' })).toBeVisible();

  // A marker on the window survives only if the page is never reloaded.
  await payer.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'still here'));

  const delivered = await sms.deliver(page.request, {
    from: sms.phone(),
    to: route.shortCode,
    text: payment.reference,
    country: route.country,
  });
  expect(delivered.duplicate).toBe(false);

  await expect(line).toContainText('Received');
  await expect(line).not.toContainText('To send');
  await expect(line).toContainText(route.shortCode);
  await expect(payer.getByRole('status')).toContainText('Paid in full');
  expect(await payer.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('still here');
  await payerContext.close();
});

test('the inbound webhook refuses a wrong signature', async ({ ownerPage: page, sms }) => {
  const route = await sms.routeFor(page.request, '1.00');
  const body = JSON.stringify({
    messageId: `e2e-${unique()}`,
    from: sms.phone(),
    to: route.shortCode,
    text: 'x',
    country: route.country,
  });
  const response = await page.request.post('/sms/inbound', {
    data: body,
    headers: {
      'content-type': 'application/json',
      'X-Tollgate-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
    },
  });
  expect(response.status()).toBe(401);
});
