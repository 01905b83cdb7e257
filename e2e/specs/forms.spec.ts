import { test, expect, unique } from '../fixtures';

test('an amount the form cannot read is refused in plain words and changes nothing; "12,50" is taken as 12.50', async ({
  ownerPage: page,
}) => {
  const name = `E2E amounts ${unique()}`;
  await page.goto('/dashboard/vouchers');
  const form = page.getByRole('form', { name: 'New voucher project' });
  await form.getByLabel('Name').fill(name);
  const price = form.getByLabel('Price (USD)');

  await price.fill('12.5.0');
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(form.getByRole('alert')).toHaveText('Enter an amount like 12.50');
  await expect(price).toBeFocused();
  await expect(page).toHaveURL(/\/dashboard\/vouchers$/);
  await expect(page.getByRole('table').getByText(name)).toHaveCount(0);

  // The merchant's own convention: the field shows the canonical amount once left, and the API gets it.
  await price.fill('12,50');
  await form.getByLabel('Name').focus();
  await expect(price).toHaveValue('12.50');
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('12.50').first()).toBeVisible();
});
