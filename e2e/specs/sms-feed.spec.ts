import { test, expect, unique } from '../fixtures';

test("the merchant's SMS page shows new SMS live, flagged ones explained", async ({
  ownerPage: page,
  payments,
  sms,
}) => {
  // Two SMS needed, so the second (from another phone) finds the payment still open and is flagged for the phone.
  const route = await sms.routeFor(page.request, '1.00');
  const payment = await payments.create(page.request, {
    amount: '50.00',
    currency: 'USD',
    description: `E2E SMS feed ${unique()}`,
  });
  await sms.simulate(page.request, {
    from: sms.phone(),
    to: route.shortCode,
    text: payment.reference,
    country: route.country,
  });

  await page.goto('/dashboard/sms');
  const feed = page.getByRole('table', { name: 'Live SMS' });
  // The first SMS arrives through the subscription (its backlog): the feed is live from here on.
  const first = feed.getByRole('row').filter({ hasText: payment.reference });
  await expect(first).toHaveCount(1);
  await expect(first).toContainText('Counted');
  await expect(first.getByRole('link', { name: `Payment ${payment.reference}` })).toBeVisible();

  await sms.deliver(page.request, {
    from: sms.phone(),
    to: route.shortCode,
    text: `${payment.reference} again`,
    country: route.country,
  });
  const second = feed.getByRole('row').filter({ hasText: `${payment.reference} again` });
  await expect(second).toContainText('Not counted');
  await expect(second).toContainText('Phone mismatch');
  await expect(second).toContainText('another phone number');
  // Payers' numbers are masked for merchants.
  await expect(second).toContainText('******');

  // The list below follows the feed.
  await page.getByLabel(/^Flagged/).selectOption('yes');
  const list = page.getByRole('table', { name: 'SMS messages' });
  await expect(list.getByRole('row').filter({ hasText: `${payment.reference} again` })).toContainText('Phone mismatch');
  await expect(list.getByRole('row').filter({ hasText: payment.reference })).toHaveCount(1);
});

test('the admin SMS page lists unmatched SMS, with the reason', async ({ adminPage: page, sms }) => {
  const text = `hello e2e ${unique()}`;
  await page.goto('/admin/sms');
  await page.getByLabel(/^Matched/).selectOption('yes');
  await sms.simulate(page.request, { from: sms.phone(), to: '1092', text, country: 'BG' });
  const row = page.getByRole('table', { name: 'SMS messages' }).getByRole('row').filter({ hasText: text });
  await expect(row).toContainText('Unmatched');
  await expect(row).toContainText('names no open payment');
  await expect(page.getByRole('table', { name: 'Live SMS' }).getByRole('row').filter({ hasText: text })).toContainText(
    'Unmatched',
  );
});
