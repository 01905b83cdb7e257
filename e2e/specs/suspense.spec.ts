import { test, expect, unique } from '../fixtures';
import { logInThroughApi } from '../fixtures/auth';

test('an SMS that names no payment waits in suspense until an admin attaches it to an open payment, which is then paid', async ({
  adminPage: page,
  browser,
  payments,
  sms,
}) => {
  // Two users, two browser contexts and a resolution: more than the default budget on a busy machine.
  test.slow();
  // The merchant's open top-up, small enough for one SMS to pay it.
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await logInThroughApi(owner, 'owner');
  const route = await sms.routeFor(owner.request, '0.50');
  const payment = await payments.create(owner.request, {
    amount: '0.50',
    currency: 'USD',
    description: `E2E suspense payment ${unique()}`,
  });

  // A payer's SMS whose text names nothing: billed, but no payment takes it.
  const text = `HELLO ${unique()}`;
  const received = await sms.simulate(page.request, {
    from: sms.phone(),
    to: route.shortCode,
    text,
    country: route.country,
  });

  await page.goto('/admin');
  await page.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name: 'Suspense' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Suspense' })).toBeVisible();
  const item = page.getByRole('article', { name: `SMS ${received.id}` });
  await expect(item).toContainText('Open');
  await expect(item).toContainText('Its text named no payment');

  // A reference no payment has: the error stands beside the field, and the item stays open.
  const form = item.getByRole('form', { name: `Resolve SMS ${received.id}` });
  await form.getByLabel('Action').selectOption('ATTACH');
  await form.getByLabel('Payment reference').fill('NOSUCHREF');
  await form.getByRole('button', { name: 'Attach to a payment' }).click();
  await expect(form.getByLabel('Payment reference')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert')).toContainText('no payment has this reference');

  await form.getByLabel('Payment reference').fill(payment.reference);
  await form.getByRole('button', { name: 'Attach to a payment' }).click();
  await expect(page.getByRole('status').filter({ hasText: received.id })).toContainText('attached');
  // Resolved: it leaves the open items and shows, with its resolution, among the attached ones.
  await expect(item).toHaveCount(0);
  await page.getByRole('search', { name: 'Filter suspense items' }).getByLabel('Status').selectOption('ATTACHED');
  await expect(item).toContainText('Attached');
  await expect(item.getByTestId('suspense-resolution')).not.toBeEmpty();
  await expect(item).toContainText(payment.id);

  // The merchant sees the payment paid, its SMS counted.
  await owner.goto(`/dashboard/payments/${payment.id}`);
  await expect(owner.getByRole('heading', { level: 1 })).toContainText(payment.reference);
  await expect(owner.locator('.amount-hero')).toContainText('Paid');
  await expect(owner.getByRole('table', { name: 'SMS of this payment' })).toContainText(text);
  await ownerContext.close();
});
