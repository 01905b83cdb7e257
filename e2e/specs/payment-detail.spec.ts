import { test, expect, gql, expectNoUserErrors, unique, type UserErrors } from '../fixtures';

/** "0.33 USD", "−0.20 USD" → 0.33, 0.2 (in cents, to compare exactly). */
function cents(text: string | null): number {
  const match = /(\d+)[.,](\d{2})/.exec(text ?? '');
  expect(match, `no amount in "${text}"`).not.toBeNull();
  return Number(match![1]) * 100 + Number(match![2]);
}

test('a paid SMS payment shows its breakdown, its timeline in order, and opens its ledger transfer', async ({
  ownerPage: page,
  payments,
  sms,
  receiver,
}) => {
  const endpoint = await gql<{ createWebhookEndpoint: UserErrors & { webhookEndpoint: { id: string } } }>(
    page.request,
    `mutation($input: CreateWebhookEndpointInput!) {
      createWebhookEndpoint(input: $input) { webhookEndpoint { id } userErrors { code field message } } }`,
    { input: { url: receiver.url, eventTypes: ['payment.paid'] } },
  );
  expectNoUserErrors(endpoint.createWebhookEndpoint);
  try {
    // One SMS pays exactly what it yields.
    const route = await sms.routeFor(page.request, '0.30');
    const payment = await payments.create(page.request, {
      amount: route.yieldUsd,
      currency: 'USD',
      description: `E2E payment detail ${unique()}`,
    });
    await sms.deliver(page.request, {
      from: sms.phone(),
      to: route.shortCode,
      text: payment.reference,
      country: route.country,
    });
    await expect.poll(() => receiver.received.some((event) => event.body.type === 'payment.paid')).toBe(true);

    await page.goto(`/dashboard/payments/${payment.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(payment.reference);

    // gross − operators' share − fee = net, and the net is what the SMS yields.
    const split = page.getByRole('table', { name: 'How the money splits' });
    const amountOf = async (part: string) =>
      cents(await split.getByRole('row').filter({ hasText: part }).locator('td').last().textContent());
    const gross = await amountOf('Payers paid');
    const share = await amountOf('Mobile operators’ share');
    const fee = await amountOf('Tollgate fee');
    const net = await amountOf('You receive');
    expect(net).toBe(cents(route.yieldUsd));
    expect(gross - share - fee).toBe(net);
    expect(gross).toBeGreaterThan(net);

    // The webhook's outcome is written after the page may have loaded: read the page again until it shows.
    const timeline = page.getByRole('list', { name: 'Payment timeline' });
    await expect(async () => {
      await page.reload();
      await expect(timeline.getByRole('listitem').filter({ hasText: 'Webhook payment.paid' })).toContainText(
        'delivered',
        { timeout: 1000 },
      );
    }).toPass({ timeout: 20_000 });
    const kinds = await timeline
      .getByRole('listitem')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    const order = ['CREATED', 'SMS_COUNTED', 'PAID', 'WEBHOOK'].map((kind) => kinds.indexOf(kind));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const counted = timeline.locator('li[data-kind="SMS_COUNTED"]');
    await expect(counted).toContainText(`to ${route.shortCode} (${route.country}) counted`);
    const link = counted.getByRole('link', { name: /Open ledger transfer/ });
    const transferId = ((await link.getAttribute('aria-label')) ?? '').replace('Open ledger transfer ', '');
    await link.click();
    const transfer = page.getByRole('heading', { name: `Transfer ${transferId}` });
    await expect(transfer).toBeVisible();
    // The transfer says what it was and leads back to its payment.
    await expect(page.getByText(`for payment ${payment.reference}`).first()).toBeVisible();
    await expect(page.getByRole('link', { name: `Open payment ${payment.id}` })).toBeVisible();
  } finally {
    await gql(
      page.request,
      `mutation($input: IdInput!) { deleteWebhookEndpoint(input: $input) { userErrors { message } } }`,
      { input: { id: endpoint.createWebhookEndpoint.webhookEndpoint.id } },
    );
  }
});
