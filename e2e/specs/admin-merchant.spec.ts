import { test, expect, gql, expectNoUserErrors, unique, type UserErrors } from '../fixtures';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) {
  createMerchant(input: $input) { merchant { id } userErrors { code field message } }
}`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { user { id } userErrors { code field message } } }`;

test('an admin finds a merchant, reads its page by names, and suspends then resumes it', async ({
  adminPage: page,
  browser,
}) => {
  // A merchant of this test's own: suspending the demo shop would disturb the specs running beside this one.
  const name = `Kiosk ${unique()}`;
  const ownerEmail = `kiosk-${unique()}@example.test`;
  const created = await gql<{ createMerchant: UserErrors & { merchant: { id: string } } }>(
    page.request,
    CREATE_MERCHANT,
    {
      input: { name, ownerEmail, ownerName: 'Kim Kiosk', ownerPassword: 'kiosk-password-1' },
    },
  );
  expectNoUserErrors(created.createMerchant);

  await page.goto('/admin/merchants');
  await page.getByRole('searchbox', { name: 'Search merchants' }).fill(ownerEmail.slice(0, 12));
  await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/merchants/${created.createMerchant.merchant.id}$`));
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  for (const section of ['Balances', 'Products', 'Team', 'Audit']) {
    await expect(page.getByRole('heading', { level: 2, name: section })).toBeVisible();
  }
  await expect(page.getByRole('heading', { level: 2, name: /Recent payments/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Team' })).toContainText('Kim Kiosk');
  // The audit shows who did it by name (the admin created it), never an id.
  await expect(page.getByRole('table', { name: 'Recent audit events' })).toContainText('Ada Admin');
  await expect(page.getByRole('table', { name: 'Recent audit events' })).toContainText('Merchant created');
  await expect(page.getByRole('main')).not.toContainText(/\b(mch|usr)_[0-9a-z]{10,}/);

  // Suspend with a reason.
  const suspend = page.getByRole('form', { name: 'Suspend merchant' });
  await suspend.getByRole('button', { name: 'Suspend merchant' }).click();
  await expect(suspend.getByRole('alert')).toContainText('say why');
  await suspend.getByLabel('Reason').fill('Unusual refunds under review');
  await suspend.getByRole('button', { name: 'Suspend merchant' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Unusual refunds under review' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Recent audit events' })).toContainText('Merchant suspended');

  // Its owner sees the banner and may look, not act.
  const context = await browser.newContext();
  const owner = await context.newPage();
  const login = await gql<{ login: UserErrors }>(owner.request, LOGIN, {
    input: { email: ownerEmail, password: 'kiosk-password-1' },
  });
  expectNoUserErrors(login.login);
  await owner.goto('/dashboard/api-keys');
  await expect(owner.getByRole('alert').filter({ hasText: 'This account is suspended.' })).toContainText(
    'Unusual refunds under review',
  );
  await expect(owner.getByRole('form', { name: 'Create API key' })).toBeHidden();

  // Resume: the banner goes.
  const resume = page.getByRole('form', { name: 'Resume merchant' });
  await resume.getByLabel('Reason').fill('Review done');
  await resume.getByRole('button', { name: 'Resume merchant' }).click();
  await expect(page.getByRole('form', { name: 'Suspend merchant' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Recent audit events' })).toContainText('Merchant resumed');
  await owner.reload();
  await expect(owner.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
  await expect(owner.getByText('This account is suspended.')).toBeHidden();
  await expect(owner.getByRole('form', { name: 'Create API key' })).toBeVisible();
  await context.close();
});
