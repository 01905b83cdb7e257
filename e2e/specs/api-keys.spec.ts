import { test, expect, DEMO, unique } from '../fixtures';

test('a key created in the dashboard calls the API, and the audit log names it as the actor', async ({
  page,
  payments,
}) => {
  const keyName = `E2E partner ${unique()}`;

  // Log in through the login page as the demo merchant's owner.
  await page.goto('/login');
  const login = page.getByRole('form', { name: 'Log in' });
  await login.getByLabel('Email').fill(DEMO.owner.email);
  await login.getByLabel('Password').fill(DEMO.owner.password);
  await login.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();

  // Create a key with the write scope; its secret is shown once.
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'API keys' }).click();
  const create = page.getByRole('form', { name: 'Create API key' });
  await create.getByLabel('Name').fill(keyName);
  await create.getByLabel('write').check();
  await create.getByRole('button', { name: 'Create key' }).click();

  const shown = page.getByRole('status', { name: `API key “${keyName}” created` });
  await expect(shown).toContainText('only once');
  const secret = (await shown.getByTestId('api-key-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^tgk_/);
  await expect(page.getByRole('row').filter({ hasText: keyName })).toContainText('active');

  // The partner system, holding only the secret, creates a payment: an audited change.
  const payment = await payments.create(
    page.request,
    { amount: '12.50', currency: 'EUR', description: 'E2E order', externalId: `e2e-${unique()}` },
    { bearer: secret },
  );
  expect(payment.amount).toEqual({ amount: '12.50', currency: 'EUR' });

  // Once put away, the secret is gone from the page for good.
  await shown.getByRole('button', { name: 'I have stored the key' }).click();
  await expect(page.getByTestId('api-key-secret')).toHaveCount(0);

  // The audit log shows the call with the new key as its actor.
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'payment.create' }).filter({ hasText: payment.id });
  await expect(row).toHaveCount(1);
  const actor = row.getByRole('cell').nth(1);
  await expect(actor).toContainText('API key');
  await expect(actor).toContainText(keyName);
});

test('a revoked key is refused by the API', async ({ ownerPage: page, apiKeys, request }) => {
  const key = await apiKeys.create(page.request, `E2E revoke ${unique()}`, ['read']);
  await page.goto('/dashboard/api-keys');
  const row = page.getByRole('row').filter({ hasText: key.name });
  await row.getByRole('button', { name: `Revoke ${key.name}` }).click();
  await row.getByRole('button', { name: 'Confirm revoke' }).click();
  await expect(row).toContainText('revoked');

  const response = await request.post('/graphql', {
    data: { query: '{ me { scopes } }' },
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
  });
  const body = (await response.json()) as { data?: { me: unknown } };
  expect(body.data?.me ?? null).toBeNull();
});
