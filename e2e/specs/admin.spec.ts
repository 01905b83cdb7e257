import { test, expect, DEMO, unique } from '../fixtures';

test('the admin console lists the demo merchant', async ({ adminPage: page }) => {
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/merchants$/);
  const merchants = page.getByRole('table', { name: 'Merchants' });
  await expect(merchants.getByRole('row').filter({ hasText: DEMO.merchantName })).toHaveCount(1);
});

test('an admin creates a merchant whose owner can then log in', async ({ adminPage: page, browser }) => {
  const name = `E2E Shop ${unique()}`;
  const email = `owner-${unique()}@e2e.tollgate.test`;
  await page.goto('/admin/merchants');
  await page.getByRole('button', { name: 'New merchant' }).click();
  const form = page.getByRole('form', { name: 'Create merchant' });
  await form.getByLabel('Merchant name').fill(name);
  await form.getByLabel("Owner's name").fill('Eve Owner');
  await form.getByLabel("Owner's email").fill(email);
  await form.getByLabel("Owner's first password").fill('e2e-owner-password');
  await form.getByRole('button', { name: 'Create merchant' }).click();
  await expect(form.getByRole('status')).toContainText(`${name} created`);
  await expect(page.getByRole('table', { name: 'Merchants' }).getByRole('row').filter({ hasText: name })).toHaveCount(
    1,
  );

  const context = await browser.newContext();
  const owner = await context.newPage();
  await owner.goto('/login');
  await owner.getByLabel('Email').fill(email);
  await owner.getByLabel('Password').fill('e2e-owner-password');
  await owner.getByRole('button', { name: 'Log in' }).click();
  await expect(owner.getByRole('banner')).toContainText(name);
  await context.close();
});

test('the outbox, mail and audit pages of the admin console load', async ({ adminPage: page }) => {
  await page.goto('/admin/outbox');
  await expect(page.getByRole('heading', { level: 1, name: 'Outbox' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByLabel('Status').selectOption('DEAD');
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name: 'Mail' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mail' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('table', { name: 'Audit events' })).toBeVisible();
});

test('a merchant user cannot open the admin console', async ({ ownerPage: page }) => {
  await page.goto('/admin/merchants');
  await expect(page).toHaveURL(/\/dashboard$/);
});
