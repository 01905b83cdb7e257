import { test, expect, unique } from '../fixtures';

test('an owner adds a staff member and removes them again', async ({ ownerPage: page }) => {
  const name = `Sam Staff ${unique()}`;
  const email = `staff-${unique()}@demo.tollgate.test`;
  await page.goto('/dashboard/team');
  const form = page.getByRole('form', { name: 'Add team member' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('First password').fill('staff-password-1');
  await form.getByRole('button', { name: 'Add member' }).click();
  await expect(form.getByRole('status')).toContainText(email);

  const row = page.getByRole('table', { name: 'Team members' }).getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('staff');
  await row.getByRole('button', { name: `Remove ${name}` }).click();
  await row.getByRole('button', { name: 'Confirm remove' }).click();
  await expect(row).toHaveCount(0);
});

test('a weak first password is refused beside its field', async ({ ownerPage: page }) => {
  await page.goto('/dashboard/team');
  const form = page.getByRole('form', { name: 'Add team member' });
  await form.getByLabel('Name').fill('Weak Password');
  await form.getByLabel('Email').fill(`weak-${unique()}@demo.tollgate.test`);
  await form.getByLabel('First password').fill('short');
  await form.getByRole('button', { name: 'Add member' }).click();
  await expect(form.locator('.field', { has: page.getByLabel('First password') }).getByRole('alert')).toContainText(
    '10 characters',
  );
});
