import { type Page } from '@playwright/test';
import { test, expect, gql, unique } from '../fixtures';

const HINT = 'Enter an amount like 12.50';

/** The account currency the API gives the logged-in merchant: what its currency selects must start at. */
async function accountCurrency(page: Page): Promise<string> {
  const data = await gql<{ me: { merchant: { currency: string } } }>(page.request, '{ me { merchant { currency } } }');
  return data.me.merchant.currency;
}

test('create payment: "12,50" is 12.50, an unreadable amount is refused beside it, the currency starts at the account’s', async ({
  ownerPage: page,
}) => {
  const externalId = `e2e-money-${unique()}`;
  const currency = await accountCurrency(page);
  await page.goto('/dashboard/payments');
  await page.getByRole('button', { name: 'New payment' }).click();
  const form = page.getByRole('form', { name: 'Create payment' });
  await expect(form.getByLabel('Currency')).toHaveValue(currency);

  const amount = form.getByLabel('Amount');
  await amount.fill('12,5,0');
  await form.getByLabel('Description').fill('Money forms');
  await form.getByLabel('Your order id (optional)').fill(externalId);
  await form.getByRole('button', { name: 'Create payment' }).click();
  await expect(
    form.locator('.field', { has: page.getByLabel('Amount', { exact: true }) }).getByRole('alert'),
  ).toHaveText(HINT);
  await expect(amount).toBeFocused();
  await expect(form.getByRole('status')).toHaveCount(0);
  const none = await gql<{ payments: { totalCount: number } }>(
    page.request,
    'query($externalId: String) { payments(externalId: $externalId) { totalCount } }',
    { externalId },
  );
  expect(none.payments.totalCount).toBe(0);

  await amount.fill('12,50');
  await form.getByLabel('Description').focus();
  await expect(amount).toHaveValue('12.50');
  await form.getByRole('button', { name: 'Create payment' }).click();
  await expect(form.getByRole('status')).toContainText('created');
  await expect(page.getByRole('row').filter({ hasText: 'Money forms' }).first()).toContainText(`12.50 ${currency}`);
});

test('fee plan: fixed fees typed either way, one currency each, refused in plain words when unreadable', async ({
  adminPage: page,
}) => {
  const name = `E2E plan ${unique()}`;
  await page.goto('/admin/fee-plans');
  await page.getByRole('button', { name: 'New fee plan' }).click();
  const form = page.getByRole('form', { name: 'Create fee plan' });
  await form.getByLabel('Plan name').fill(name);
  // A platform admin has no merchant account: the selects start at USD, SMS money's currency.
  await expect(form.getByLabel('Card online: fixed: currency', { exact: true })).toHaveValue('USD');

  const fixed = form.getByLabel('Card online: fixed', { exact: true });
  await fixed.fill('0,2x');
  await form.getByRole('button', { name: 'Create plan' }).click();
  await expect(
    form.locator('.field', { has: page.getByLabel('Card online: fixed', { exact: true }) }).getByRole('alert'),
  ).toHaveText(HINT);
  await expect(fixed).toBeFocused();

  await fixed.fill('0,25');
  await form.getByLabel('Chargeback fee', { exact: true }).fill('15,00');
  await form.getByLabel('Chargeback fee: currency', { exact: true }).selectOption('EUR');
  await form.getByLabel('Plan name').focus();
  await expect(fixed).toHaveValue('0.25');
  await form.getByRole('button', { name: 'Create plan' }).click();
  await expect(form).toHaveCount(0);
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('0.25 USD');
  await expect(row).toContainText('15.00 EUR');
});

test('fee plan: an unreadable amount creates no plan', async ({ adminPage: page }) => {
  const name = `E2E refused plan ${unique()}`;
  await page.goto('/admin/fee-plans');
  await page.getByRole('button', { name: 'New fee plan' }).click();
  const form = page.getByRole('form', { name: 'Create fee plan' });
  await form.getByLabel('Plan name').fill(name);
  const chargeback = form.getByLabel('Chargeback fee', { exact: true });
  await chargeback.fill('15.0.0');
  await form.getByRole('button', { name: 'Create plan' }).click();
  await expect(
    form.locator('.field', { has: page.getByLabel('Chargeback fee', { exact: true }) }).getByRole('alert'),
  ).toHaveText(HINT);
  await form.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('table', { name: 'Fee plans' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(0);
});

test('access-code service: the card price "2,50" is 2.50, an unreadable one is refused, the currency starts at the account’s', async ({
  ownerPage: page,
}) => {
  const keyword = `MF${unique()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`.slice(0, 20);
  const name = `Money forms ${keyword}`;
  const currency = await accountCurrency(page);
  await page.goto('/dashboard/access-codes');
  await page.getByRole('button', { name: 'New service' }).click();
  const form = page.getByRole('form', { name: 'Create access-code service' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Keyword').fill(keyword);
  await form.getByLabel('Short codes').fill('1096');
  await form.getByLabel('Paid URL').fill('https://example.com/paid');
  await form.getByLabel('Expired URL').fill('https://example.com/expired');
  await form.getByLabel('Invalid URL').fill('https://example.com/invalid');
  await form.getByRole('checkbox', { name: /Accept cards/ }).check();
  // Cards are taken in USD or EUR: the account's currency when it is one of them.
  await expect(form.getByLabel('Card currency')).toHaveValue(['USD', 'EUR'].includes(currency) ? currency : 'USD');

  const price = form.getByLabel('Card price');
  await price.fill('two fifty');
  await form.getByRole('button', { name: 'Create service' }).click();
  await expect(
    form.locator('.field', { has: page.getByLabel('Card price', { exact: true }) }).getByRole('alert'),
  ).toHaveText(HINT);
  await expect(price).toBeFocused();
  await expect(page.getByRole('button', { name: 'Done' })).toHaveCount(0);
  const services = await gql<{ accessCodeServices: { edges: { node: { name: string } }[] } }>(
    page.request,
    '{ accessCodeServices(first: 100) { edges { node { name } } } }',
  );
  expect(services.accessCodeServices.edges.map((edge) => edge.node.name)).not.toContain(name);

  await price.fill('2,50');
  await form.getByLabel('Name').focus();
  await expect(price).toHaveValue('2.50');
  const cardCurrency = await form.getByLabel('Card currency').inputValue();
  await form.getByRole('button', { name: 'Create service' }).click();
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('link', { name: `Open ${name}` }).click();
  await expect(page.getByText(`they pay 2.50 ${cardCurrency} by card`)).toBeVisible();
});
