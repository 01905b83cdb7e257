import { test, expect, DEMO, unique } from '../fixtures';
import { logInThroughApi } from '../fixtures/auth';

test('an admin posts a balanced adjustment; the merchant sees it in its balances and ledger', async ({
  adminPage: page,
  browser,
}) => {
  const why = `E2E opening balance ${unique()}`;
  await page.goto('/admin/ledger');
  const form = page.getByRole('form', { name: 'Ledger adjustment' });
  await form.getByLabel('Merchant').selectOption({ label: DEMO.merchantName });
  await form.getByLabel('Currency').fill('EUR');
  await form.getByLabel('Why').fill(why);

  // Unbalanced first: refused beside the entries, nothing posted.
  await form.getByLabel('Account of entry 1').selectOption('MERCHANT_AVAILABLE');
  await form.getByLabel('Amount of entry 1').fill('1000.00');
  await form.getByLabel('Account of entry 2').selectOption('WORLD');
  await form.getByLabel('Amount of entry 2').fill('-999.99');
  await form.getByRole('button', { name: 'Post adjustment' }).click();
  await expect(form.getByRole('alert')).toContainText('not zero');

  await form.getByLabel('Amount of entry 2').fill('-1000.00');
  await form.getByRole('button', { name: 'Post adjustment' }).click();
  await expect(form.getByRole('status')).toContainText('1000.00 EUR moved');

  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByText('Consistent', { exact: true })).toBeVisible();

  const context = await browser.newContext();
  const owner = await context.newPage();
  await logInThroughApi(owner, 'owner');
  await owner.goto('/dashboard');
  await expect(owner.getByRole('list', { name: 'Balances' })).toContainText('Available · EUR');
  await owner.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Ledger' }).click();
  const entry = owner.getByRole('table', { name: 'Ledger entries' }).getByRole('row').filter({ hasText: '+1,000.00' });
  await expect(entry.first()).toBeVisible();
  await entry
    .first()
    .getByRole('button', { name: /Show transfer/ })
    .click();
  await expect(owner.getByText(why)).toBeVisible();
  await context.close();
});
