import { createHmac } from 'node:crypto';
import { mergeTests } from '@playwright/test';
import { test as base, expect, gql, unique } from '../fixtures';
import { test as site } from '../fixtures/access-codes';

const test = mergeTests(base, site);

const SIMULATE = `mutation($input: SimulateInboundSmsInput!) {
  simulateInboundSms(input: $input) { sms { status } userErrors { message } }
}`;
const OUTBOX = `query($phone: String!) { simulatorOutbox(phone: $phone) { text } }`;

test('an SMS buys a code that the check URL turns into paid, then expired; a made-up code is invalid', async ({
  ownerPage: page,
  merchantSite,
}) => {
  const keyword = `E2E${unique()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`.slice(0, 20);
  const name = `Articles ${keyword}`;

  // The merchant creates the service in the dashboard.
  await page.goto('/dashboard/access-codes');
  await page.getByRole('button', { name: 'New service' }).click();
  const form = page.getByRole('form', { name: 'Create access-code service' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Keyword').fill(keyword);
  await form.getByLabel('Short codes').fill('1096');
  await form.getByLabel('Reply').fill('Code {code}, {uses} uses');
  await form.getByLabel('Code kind').selectOption('USES');
  await form.getByLabel('Uses per code').fill('2');
  await form.getByLabel('Code length').fill('6');
  await form.getByLabel('Paid URL').fill(`${merchantSite.url}/paid`);
  await form.getByLabel('Expired URL').fill(`${merchantSite.url}/expired`);
  await form.getByLabel('Invalid URL').fill(`${merchantSite.url}/invalid`);
  await form.getByRole('button', { name: 'Create service' }).click();
  const secret = (await page.getByTestId('access-code-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^acsec_/);
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('link', { name: `Open ${name}` }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const checkUrl = ((await page.getByTestId('access-code-check-url').textContent()) ?? '').replace(/\?code=CODE$/, '');
  expect(checkUrl).toMatch(/\/check\/acs_[0-9a-z]{26}$/);

  // A payer's phone sends the SMS; the reply with the code arrives on the simulated phone.
  const phone = `+35988${String(Date.now()).slice(-7)}`;
  const sent = await gql<{ simulateInboundSms: { sms: { status: string } } }>(page.request, SIMULATE, {
    input: { from: phone, to: '1096', text: keyword.toLowerCase(), country: 'BG' },
  });
  expect(sent.simulateInboundSms.sms.status).toBe('COUNTED');
  let reply = '';
  await expect
    .poll(async () => {
      const outbox = await gql<{ simulatorOutbox: { text: string }[] }>(page.request, OUTBOX, { phone });
      reply = outbox.simulatorOutbox.at(-1)?.text ?? '';
      return reply;
    })
    .toMatch(/^Code [2-9A-HJ-NPR-Z]{6}, 2 uses$/);
  const code = /^Code (\S+),/.exec(reply)![1];

  // The merchant's page sends the browser to the check URL; it lands on the paid page with a proof.
  const enter = async (value: string) => {
    await page.goto(merchantSite.shopUrl(checkUrl));
    await page.getByLabel('Access code').fill(value);
    await page.getByRole('button', { name: 'Unlock' }).click();
    return (await page.getByTestId('landing').textContent())?.trim();
  };
  expect(await enter(code.toLowerCase())).toBe('paid');
  await expect(page.getByRole('heading', { name: 'Welcome, reader' })).toBeVisible();
  const proof = merchantSite.landings.at(-1)!.query;
  expect(proof.get('code')).toBe(code);
  const expected = createHmac('sha256', secret)
    .update(`${code}.${proof.get('t')}`)
    .digest('hex');
  expect(proof.get('sig')).toBe(expected);

  expect(await enter(code)).toBe('paid');
  // Two uses: the third check lands on the expired page.
  expect(await enter(code)).toBe('expired');
  expect(await enter('ZZZZ22')).toBe('invalid');
  expect(merchantSite.landings.map((landing) => landing.page)).toEqual(['paid', 'paid', 'expired', 'invalid']);

  // The dashboard shows the code, used up, and every attempt.
  await page.goto(checkUrl.replace(/^.*\/check\//, '/dashboard/access-codes/'));
  const codes = page.getByRole('table', { name: 'Codes' });
  await expect(codes.getByRole('row').filter({ hasText: code })).toContainText('Used up');
  const attempts = page.getByRole('table', { name: 'Check attempts' });
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).last().click();
    await expect(attempts.getByRole('row')).toHaveCount(5, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(attempts.getByRole('row').nth(1)).toContainText('Invalid');
  await expect(attempts.getByRole('row').nth(2)).toContainText('Used up');
  await expect(attempts.getByRole('row').filter({ hasText: 'Paid' })).toHaveCount(2);
});
