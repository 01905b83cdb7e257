import { mergeTests } from '@playwright/test';
import { test as base, expect, unique } from '../fixtures';
import { md5, sendSms, test as purses } from '../fixtures/purses';

const test = mergeTests(base, purses);

test('a shop’s signed form opens a purse payment; one SMS pays it live; the payer returns with a correct s_sign', async ({
  ownerPage: page,
  browser,
  merchantSite,
}) => {
  // The merchant creates a purse in the dashboard and keeps its secret code.
  const name = `Game balance ${unique()}`;
  await page.goto('/dashboard/purses');
  await page.getByRole('button', { name: 'New purse' }).click();
  const form = page.getByRole('form', { name: 'Create purse' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Language').selectOption('EN');
  await form.getByLabel('Result URL').fill(`${merchantSite.url}/result`);
  await form.getByLabel('Success URL').fill(`${merchantSite.url}/success`);
  await form.getByLabel('Fail URL').fill(`${merchantSite.url}/fail`);
  await form.getByLabel('Countries').fill('BG, DE, US');
  await form.getByRole('button', { name: 'Create purse' }).click();
  const secret = ((await page.getByTestId('purse-secret').textContent()) ?? '').trim();
  expect(secret).toMatch(/^[0-9a-f]{32}$/);

  // Its page: integration code for its number, and a test callback the shop's handler answers.
  await page.getByRole('link', { name: /Open the purse/ }).click();
  const number = Number((await page.getByTestId('purse-number').textContent())?.trim());
  expect(number).toBeGreaterThan(0);
  await expect(page.getByTestId('purse-snippet')).toContainText(`getenv('TOLLGATE_PURSE') ?: '${number}'`);
  await page.getByRole('button', { name: 'Send test callback' }).click();
  await expect(page.getByRole('status', { name: 'Test callback' })).toContainText('HTTP 200');
  const testCallback = merchantSite.received.find((request) => request.path === '/result');
  expect(Object.fromEntries(testCallback!.fields)).toMatchObject({ s_purse: String(number), s_inv: '0' });

  // A payer, in a browser of their own, checks out at the shop; its form posts the signed fields to Tollgate.
  const order = {
    action: new URL('/language/english/bank/', page.url()).toString(),
    purse: number,
    secret,
    orderId: '4242',
    amount: '2',
    clearAmount: '0' as const,
    description: 'Кристаллы ×100',
    extras: [['user', 'иван']] as [string, string][],
  };
  merchantSite.setOrder(order);
  const payerContext = await browser.newContext();
  const payer = await payerContext.newPage();
  await payer.goto(`${merchantSite.url}/checkout`);
  await payer.getByRole('button', { name: 'Pay by SMS' }).click();

  // 303 to the SPA's page, by its token, in the language of the form's URL.
  await expect(payer).toHaveURL(/\/bank\/pay\/[A-Za-z0-9_-]+\?lang=en$/);
  await expect(payer.getByRole('heading', { level: 1 })).toHaveText('2.00 USD');
  await expect(payer.getByText('Кристаллы ×100')).toBeVisible();
  await expect(payer.getByTestId('purse-status')).toContainText('Waiting for your SMS');
  // The purse serves BG, DE and US; $2 in one SMS: BG 1096 ($2.67), DE 55055 ($2.16), US 24002 ($4.99).
  await payer.getByLabel('Country').selectOption('BG');
  await expect(payer.getByTestId('sms-short-code')).toHaveText('1096');
  const text = ((await payer.getByTestId('sms-text').textContent()) ?? '').trim();
  expect(text).toMatch(/^[A-Z0-9]{8}$/);
  await expect(payer.getByTestId('sms-line-state')).toHaveText(['Expected']);
  await expect(payer.getByRole('button', { name: 'Continue' })).toBeDisabled();

  // The payer's phone sends the SMS (the simulator runs it through the same pipeline); the page follows live.
  await sendSms(payer.request, { from: '+359888700100', to: '1096', text, country: 'BG' });
  await expect(payer.getByTestId('sms-line-state')).toHaveText(['Received']);
  await expect(payer.getByTestId('purse-status')).toContainText('Paid');

  // Continue: the server's return form posts to the shop's Success URL with the fields and s_sign of seed B5.
  await payer.getByRole('button', { name: 'Continue' }).click();
  await expect(payer.getByRole('heading', { level: 1 })).toHaveText('Thank you for your payment');
  const success = merchantSite.received.find((request) => request.path === '/success')!;
  const sign = md5([secret, number, '4242', '2', '0', '1'].join('::'));
  expect(success.fields).toEqual([
    ['s_purse', String(number)],
    ['s_order_id', '4242'],
    ['s_amount', '2'],
    ['s_clear_amount', '0'],
    ['s_status', '1'],
    ['s_sign', sign],
    ['user', 'иван'],
  ]);

  // The Result URL hears of the SMS through the outbox, signed by seed B6.
  await expect
    .poll(() => merchantSite.received.filter((request) => request.path === '/result').length, { timeout: 15_000 })
    .toBe(2);
  const callback = Object.fromEntries(merchantSite.received.filter((request) => request.path === '/result')[1]!.fields);
  expect(callback).toMatchObject({
    s_purse: String(number),
    s_order_id: '4242',
    s_amount: '2',
    s_phone: '359888700100',
  });
  expect(callback.s_sign_v2).toBe(md5([secret, number, '4242', '2', '0', callback.s_inv, callback.s_phone].join('::')));
  await payerContext.close();

  // The merchant sees the payment, its operation and the delivered callback.
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: '4242' });
  await expect(row).toContainText('Paid');
  await expect(row).toContainText(`s_inv ${callback.s_inv}`);
});

test('a form with a wrong signature gets an error page in the form’s language', async ({ request }) => {
  // Purse 1 is the demo merchant's (seeded).
  const form = new URLSearchParams([
    ['s_purse', '1'],
    ['s_order_id', '1'],
    ['s_amount', '2'],
    ['s_clear_amount', '0'],
    ['s_description', 'x'],
    ['s_sign', '0'.repeat(32)],
  ]);
  const russian = await request.post('/language/russian/bank/', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: form.toString(),
    maxRedirects: 0,
  });
  expect(russian.status()).toBe(400);
  expect(await russian.text()).toContain('Платёж не создан');
  const english = await request.post('/language/english/bank/', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: form.toString(),
    maxRedirects: 0,
  });
  expect(english.status()).toBe(400);
  expect(await english.text()).toContain('No payment was created');
  // An unknown purse has no language of its own: the protocol's default, Russian.
  form.set('s_purse', '999999');
  const unknown = await request.post('/bank/', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: form.toString(),
    maxRedirects: 0,
  });
  expect(unknown.status()).toBe(404);
  expect(await unknown.text()).toContain('кошелёк s_purse не найден');
});
