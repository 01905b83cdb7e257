import { test, expect, unique } from '../fixtures';

test('the dashboard simulator pays a payment by SMS: the reply shows on the phone and the payment turns paid', async ({
  ownerPage: page,
  payments,
  sms,
}) => {
  const route = await sms.routeFor(page.request, '1.00');
  const payment = await payments.create(page.request, {
    amount: '1.00',
    currency: 'USD',
    description: `E2E simulator ${unique()}`,
  });
  const phone = sms.phone();

  await page.goto('/dashboard');
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'SMS simulator' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'SMS simulator' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Send SMS' });
  await form.getByLabel('Phone number').fill(phone);
  await form.getByLabel('Country', { exact: true }).selectOption(route.country);
  await form.getByLabel('Short code', { exact: true }).selectOption(route.shortCode);
  await form.getByLabel('Message').fill(`pay ${payment.reference}`);
  await form.getByRole('button', { name: 'Send SMS' }).click();

  await expect(form.getByRole('status')).toContainText('Counted');
  const inbox = page.getByRole('list', { name: 'Messages' });
  await expect(inbox.getByRole('listitem').filter({ hasText: `pay ${payment.reference}` })).toContainText('Counted');
  await expect(inbox.getByRole('listitem').filter({ hasText: `From ${route.shortCode}` })).toContainText(
    `payment ${payment.reference} is complete`,
  );

  await page.goto(`/dashboard/payments/${payment.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Payment ${payment.reference}`);
  // The status badge beside the amount (the facts below also have a "Paid" term).
  await expect(page.locator('.amount-hero')).toContainText('Paid');
});

test("the payer page's simulator link opens a phone filled in for its SMS, without a login", async ({
  ownerPage: page,
  browser,
  payments,
  sms,
}) => {
  const route = await sms.routeFor(page.request, '1.00');
  const payment = await payments.create(page.request, {
    amount: '1.00',
    currency: 'USD',
    description: `E2E simulator link ${unique()}`,
  });

  const payerContext = await browser.newContext();
  const payer = await payerContext.newPage();
  await payer.goto(new URL(payment.payerUrl).pathname);
  await payer.getByLabel("Your phone's country").selectOption(route.country);
  await payer.getByRole('link', { name: 'Simulate this SMS' }).click();

  await expect(payer.getByRole('heading', { level: 1, name: 'SMS simulator' })).toBeVisible();
  const form = payer.getByRole('form', { name: 'Send SMS' });
  await expect(form.getByLabel('Message')).toHaveValue(payment.reference);
  await expect(form.getByLabel('Short code', { exact: true })).toHaveValue(route.shortCode);
  await form.getByRole('button', { name: 'Send SMS' }).click();
  await expect(payer.getByRole('list', { name: 'Messages' })).toContainText(`payment ${payment.reference} is complete`);

  await payer.goBack();
  await expect(payer.getByRole('status')).toContainText('Paid in full');
  await payerContext.close();
});
