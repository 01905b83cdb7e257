import { test, expect, DEMO } from '../fixtures';
import { enterTotpOnPage } from '../fixtures/auth';

test.describe('login page', () => {
  test('a wrong password shows the error beside the form and stays on the login page', async ({ page }) => {
    await page.goto('/login');
    const form = page.getByRole('form', { name: 'Log in' });
    await form.getByLabel('Email').fill(DEMO.owner.email);
    await form.getByLabel('Password').fill('not-the-password');
    await form.getByRole('button', { name: 'Log in' }).click();

    await expect(form.getByRole('alert')).toHaveText(/email or password is wrong/);
    await expect(page).toHaveURL(/\/login$/);
  });

  test('an admin lands in the admin console after the TOTP code', async ({ page }) => {
    await page.goto('/login');
    const form = page.getByRole('form', { name: 'Log in' });
    await form.getByLabel('Email').fill(DEMO.admin.email);
    await form.getByLabel('Password').fill(DEMO.admin.password);
    await form.getByRole('button', { name: 'Log in' }).click();

    // The password alone is not enough: the page asks for the code, and a wrong one is refused beside its field.
    const codeForm = page.getByRole('form', { name: 'Enter code' });
    await codeForm.getByLabel('Code').fill('000000');
    await codeForm.getByRole('button', { name: 'Continue' }).click();
    await expect(codeForm.getByRole('alert')).toContainText('not right');
    await enterTotpOnPage(page, DEMO.admin.totpSecret);

    await expect(page).toHaveURL(/\/admin\/merchants$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Merchants' })).toBeVisible();
  });

  test('a logged-out visitor of the dashboard is sent to log in', async ({ page }) => {
    await page.goto('/dashboard/api-keys');
    await expect(page).toHaveURL(/\/login\?next=%2Fdashboard%2Fapi-keys$/);
  });

  test('log out from the user menu', async ({ ownerPage: page }) => {
    await page.goto('/dashboard');
    await page.getByRole('button', { name: DEMO.owner.name }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);

    await page.goto('/dashboard');
    await expect(page).toHaveURL(/\/login/);
  });

  test('a session that ends while the dashboard is open sends the user to log in again', async ({
    ownerPage: page,
  }) => {
    await page.goto('/dashboard/api-keys');
    await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
    await page.context().clearCookies();
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Audit log' }).click();
    await expect(page).toHaveURL(/\/login\?next=%2Fdashboard%2Faudit$/);
  });
});
