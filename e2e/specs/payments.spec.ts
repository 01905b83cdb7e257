import { test, expect, unique } from '../fixtures';

test('a payment created in the dashboard shows on its payer page, which follows a cancellation live', async ({
  ownerPage: page,
  browser,
}) => {
  const description = `E2E top-up ${unique()}`;
  await page.goto('/dashboard/payments');
  await page.getByRole('button', { name: 'New payment' }).click();
  const form = page.getByRole('form', { name: 'Create payment' });
  await form.getByLabel('Amount').fill('1234.50');
  await form.getByLabel('Currency').selectOption('EUR');
  await form.getByLabel('Description').fill(description);
  await form.getByRole('button', { name: 'Create payment' }).click();

  const created = form.getByRole('status');
  await expect(created).toContainText('created');
  const payerUrl = (await created.locator('code').textContent())?.trim() ?? '';
  expect(payerUrl).toMatch(/\/pay\/[A-Za-z0-9_-]+$/);

  // The list shows the amount exactly as the API's decimal string, grouped.
  const row = page.getByRole('row').filter({ hasText: description });
  await expect(row).toContainText('1,234.50 EUR');

  // The payer, in a browser of their own (no session), opens the page.
  const payerContext = await browser.newContext();
  const payer = await payerContext.newPage();
  await payer.goto(new URL(payerUrl).pathname);
  await expect(payer.getByRole('heading', { level: 1 })).toHaveText('1,234.50 EUR');
  await expect(payer.getByRole('status')).toContainText('Waiting for your payment');

  // The merchant cancels; the payer's page changes by itself (graphql-ws subscription).
  await row.getByRole('link').first().click();
  await page.getByRole('button', { name: 'Cancel payment' }).click();
  await page
    .getByRole('alertdialog', { name: 'Cancel payment' })
    .getByRole('button', { name: 'Cancel payment' })
    .click();
  await expect(page.getByText('Cancelled', { exact: true })).toBeVisible();
  await expect(payer.getByRole('status')).toContainText('cancelled this payment');
  await payerContext.close();
});

test('an invalid amount is refused beside its field', async ({ ownerPage: page }) => {
  await page.goto('/dashboard/payments');
  await page.getByRole('button', { name: 'New payment' }).click();
  const form = page.getByRole('form', { name: 'Create payment' });
  await form.getByLabel('Amount').fill('12.345');
  await form.getByLabel('Currency').selectOption('EUR');
  await form.getByLabel('Description').fill('Too precise');
  await form.getByRole('button', { name: 'Create payment' }).click();
  await expect(form.locator('.field', { has: page.getByLabel('Amount') }).getByRole('alert')).toBeVisible();
});
