import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { test, expect, gql, expectNoUserErrors, unique, type UserErrors } from '../fixtures';
import { payWithCard, TEST_CARDS, TEST_CHALLENGE_ANSWER } from '../fixtures/cards';
import { mixedTariffPrice, simulateSms, voucherPhone } from '../fixtures/vouchers';

const CREATE_CARD_PAYMENT = `
  mutation CreateCardPayment($input: CreateCardPaymentInput!) {
    createCardPayment(input: $input) {
      payment { id reference status }
      payUrl
      userErrors { code field message }
    }
  }
`;
const CREATE_PROJECT = `
  mutation CreateProject($input: CreateVoucherProjectInput!) {
    createVoucherProject(input: $input) { project { id publicUrl } userErrors { code field message } }
  }
`;
const UPDATE_PROJECT = `
  mutation UpdateProject($input: UpdateVoucherProjectInput!) {
    updateVoucherProject(input: $input) { project { id acceptsCard } userErrors { code field message } }
  }
`;
const ADD_VOUCHERS = `
  mutation AddVouchers($input: AddVouchersInput!) { addVouchers(input: $input) { added userErrors { code field message } } }
`;

interface CardPayment {
  id: string;
  reference: string;
  payUrl: string;
}

/** A card payment made by the demo merchant through the API, as its shop's server would make it. */
async function createCardPayment(
  request: APIRequestContext,
  input: { amount: string; currency: string; successUrl?: string; cancelUrl?: string },
): Promise<CardPayment> {
  const data = await gql<{
    createCardPayment: UserErrors & { payment: { id: string; reference: string }; payUrl: string };
  }>(request, CREATE_CARD_PAYMENT, {
    input: {
      description: `E2E card payment ${unique()}`,
      idempotencyKey: `e2e-${unique()}`,
      ...input,
    },
  });
  expectNoUserErrors(data.createCardPayment);
  return { ...data.createCardPayment.payment, payUrl: data.createCardPayment.payUrl };
}

/** A payer with a browser of their own: no session, nothing shared with the merchant's. */
async function payerPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** The merchant's own site: where the payer returns after paying. */
async function merchantSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!doctype html><title>Thanks</title><h1>Thank you for your order</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A voucher project of the demo merchant selling by card, with a few vouchers in stock. */
async function cardVoucherProject(request: APIRequestContext, price: string, codes: string[]) {
  const created = await gql<{ createVoucherProject: UserErrors & { project: { id: string; publicUrl: string } } }>(
    request,
    CREATE_PROJECT,
    { input: { name: `Card voucher ${unique()}`, slug: `card-${unique()}`.slice(0, 40), price, kind: 'PIN' } },
  );
  expectNoUserErrors(created.createVoucherProject);
  const project = created.createVoucherProject.project;
  const updated = await gql<{ updateVoucherProject: UserErrors }>(request, UPDATE_PROJECT, {
    input: { id: project.id, acceptsCard: true },
  });
  expectNoUserErrors(updated.updateVoucherProject);
  const added = await gql<{ addVouchers: UserErrors & { added: number } }>(request, ADD_VOUCHERS, {
    input: { projectId: project.id, csv: codes.join('\n') },
  });
  expectNoUserErrors(added.addVouchers);
  return { id: project.id, publicPath: new URL(project.publicUrl).pathname };
}

test('a createCardPayment link is paid by test card, and the payer returns to the merchant', async ({
  ownerPage: merchant,
  browser,
}) => {
  const site = await merchantSite();
  const payment = await createCardPayment(merchant.request, {
    amount: '12.50',
    currency: 'EUR',
    successUrl: `${site.url}/thanks`,
    cancelUrl: `${site.url}/cart`,
  });

  const payer = await payerPage(browser);
  await payer.goto(new URL(payment.payUrl).pathname);
  await expect(payer.getByRole('heading', { level: 1 })).toHaveText('12.50 EUR');
  // A card payment is paid by card only: no SMS to send.
  await expect(payer.getByRole('heading', { name: 'Pay by SMS' })).toHaveCount(0);
  await payWithCard(payer, TEST_CARDS.approve);

  await expect(payer.getByTestId('card-paid')).toContainText('VISA •••• 0010');
  await expect(payer.getByRole('heading', { name: 'Thank you for your order' })).toBeVisible();
  expect(new URL(payer.url()).pathname).toBe('/thanks');
  await payer.context().close();

  // The merchant's dashboard shows the payment paid, with its card charge.
  await merchant.goto(`/dashboard/payments/${payment.id}`);
  await expect(merchant.getByText('Paid', { exact: true }).first()).toBeVisible();
  const charges = merchant.getByRole('table', { name: 'Card charges' });
  await expect(charges.getByRole('row').filter({ hasText: '0010' })).toContainText('Captured');

  // A partial refund from the dashboard: the refund is listed, the rest can still be refunded.
  const refund = merchant.getByRole('form', { name: 'Refund' });
  await refund.getByLabel('Refund amount (EUR)').fill('5.00');
  await refund.getByRole('button', { name: 'Refund part' }).click();
  await merchant
    .getByRole('alertdialog', { name: 'Confirm refund' })
    .getByRole('button', { name: 'Refund 5.00 EUR' })
    .click();
  await expect(merchant.getByRole('table', { name: 'Refunds' }).getByRole('row').nth(1)).toContainText('5.00 EUR');
  await expect(charges.getByRole('row').filter({ hasText: '0010' })).toContainText('5.00 EUR');
  await expect(refund.getByLabel('Refund amount (EUR)')).toHaveAttribute('placeholder', '7.50');
  await site.close();
});

test('a declined card says why and leaves the payment open for another card', async ({
  ownerPage: merchant,
  browser,
}) => {
  const payment = await createCardPayment(merchant.request, { amount: '20.00', currency: 'EUR' });
  const payer = await payerPage(browser);
  await payer.goto(new URL(payment.payUrl).pathname);

  await payWithCard(payer, TEST_CARDS.insufficientFunds);
  await expect(payer.getByTestId('card-declined')).toContainText(/insufficient funds|not enough funds/i);
  await expect(payer.getByRole('status').first()).toContainText('Waiting for your payment');
  // The card's number and code left the form with the attempt; the payer tries another card.
  const form = payer.getByRole('form', { name: 'Pay by card' });
  await expect(form.getByLabel('Card number')).toHaveValue('');
  await expect(form.getByLabel('Security code (CVC)')).toHaveValue('');

  await payWithCard(payer, TEST_CARDS.expired);
  await expect(payer.getByTestId('card-declined')).toContainText(/expired/i);

  await payWithCard(payer, TEST_CARDS.approve);
  await expect(payer.getByTestId('card-paid')).toBeVisible();
  await expect(payer.getByRole('status').first()).toContainText('Paid in full');
  await payer.context().close();
});

test('a challenge card asks for the bank’s code before it pays', async ({ ownerPage: merchant, browser }) => {
  const payment = await createCardPayment(merchant.request, { amount: '7.00', currency: 'USD' });
  const payer = await payerPage(browser);
  await payer.goto(new URL(payment.payUrl).pathname);

  await payWithCard(payer, TEST_CARDS.challenge);
  const challenge = payer.getByRole('form', { name: 'Confirm with your bank' });
  await expect(challenge).toBeVisible();
  // A wrong answer: the payment is not confirmed, and stays open.
  await challenge.getByLabel('Code from your bank').fill('0000');
  await challenge.getByRole('button', { name: 'Confirm payment' }).click();
  await expect(payer.getByTestId('card-declined')).toBeVisible();
  await expect(payer.getByRole('status').first()).toContainText('Waiting for your payment');

  await payWithCard(payer, TEST_CARDS.challenge);
  await challenge.getByLabel('Code from your bank').fill(TEST_CHALLENGE_ANSWER);
  await challenge.getByRole('button', { name: 'Confirm payment' }).click();
  await expect(payer.getByTestId('card-paid')).toBeVisible();
  await expect(payer.getByRole('status').first()).toContainText('Paid in full');
  await payer.context().close();
});

test('a voucher is bought by card on the shop page', async ({ ownerPage: seller, browser }) => {
  const codes = [`CARD-${unique()}`, `CARD-${unique()}-2`];
  const project = await cardVoucherProject(seller.request, '5.00', codes);

  const buyer = await payerPage(browser);
  await buyer.goto(project.publicPath);
  await buyer.getByRole('radio', { name: 'By card' }).check();
  await buyer.getByRole('button', { name: 'Continue to card payment' }).click();
  await payWithCard(buyer, TEST_CARDS.approve);
  await expect(buyer.getByTestId('voucher-code')).toHaveText(codes[0]!);
  await buyer.reload();
  await expect(buyer.getByTestId('voucher-code')).toHaveText(codes[0]!);
  await buyer.context().close();
});

test('a voucher is bought with one SMS and the rest by card', async ({ ownerPage: seller, browser }) => {
  // A price the fewest-SMS instruction pays with two SMS of different tariffs: one is sent, the card pays the rest.
  const { country, price, shortCodes } = await mixedTariffPrice(seller.request);
  const codes = [`MIX-${unique()}`];
  const project = await cardVoucherProject(seller.request, price, codes);

  const buyer = await payerPage(browser);
  await buyer.goto(project.publicPath);
  await buyer.getByRole('radio', { name: 'By SMS' }).check();
  await buyer.getByLabel('Your country').selectOption(country);
  await buyer.getByRole('button', { name: 'Pay by SMS' }).click();
  const lines = buyer.getByTestId('sms-line');
  await expect(lines).toHaveCount(2);
  const reference = await buyer.getByTestId('payment-number').innerText();

  await simulateSms(buyer.request, { from: voucherPhone(), to: shortCodes[0], text: reference, country });
  await expect(lines.nth(0)).toHaveAttribute('data-state', 'RECEIVED');
  const rest = buyer.getByRole('heading', { name: /^Pay the remaining .* by card$/ });
  await expect(rest).toBeVisible();
  await payWithCard(buyer, TEST_CARDS.approve);
  await expect(buyer.getByTestId('voucher-code')).toHaveText(codes[0]!);
  await buyer.context().close();
});

test('an access code is bought by card: email, card, then the code on the page', async ({
  ownerPage: merchant,
  browser,
}) => {
  const keyword = `CARD${unique()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`.slice(0, 20);
  const name = `Card articles ${keyword}`;
  await merchant.goto('/dashboard/access-codes');
  await merchant.getByRole('button', { name: 'New service' }).click();
  const form = merchant.getByRole('form', { name: 'Create access-code service' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Keyword').fill(keyword);
  await form.getByLabel('Short codes').fill('1096');
  await form.getByLabel('Paid URL').fill('https://example.com/paid');
  await form.getByLabel('Expired URL').fill('https://example.com/expired');
  await form.getByLabel('Invalid URL').fill('https://example.com/invalid');
  await form.getByRole('checkbox', { name: /Accept cards/ }).check();
  await form.getByLabel('Card price').fill('2.50');
  await form.getByLabel('Card currency').selectOption('EUR');
  await form.getByRole('button', { name: 'Create service' }).click();
  await merchant.getByRole('button', { name: 'Done' }).click();
  await merchant.getByRole('link', { name: `Open ${name}` }).click();
  const buyPath = new URL(await merchant.getByTestId('access-code-buy-url').innerText()).pathname;

  const buyer = await payerPage(browser);
  await buyer.goto(buyPath);
  await expect(buyer.getByRole('heading', { level: 1, name })).toBeVisible();
  await buyer.getByLabel('Email').fill('reader@example.com');
  await buyer.getByRole('button', { name: 'Continue to card payment' }).click();
  await payWithCard(buyer, TEST_CARDS.approve);
  await expect(buyer.getByTestId('access-code-value')).toHaveText(/^\S{4,32}$/);
  await expect(buyer.getByTestId('access-code')).toContainText('@example.com');
  await buyer.context().close();
});
