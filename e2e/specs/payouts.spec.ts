import { readFile } from 'node:fs/promises';
import type { Browser, Page } from '@playwright/test';
import { test, expect, gql, expectNoUserErrors, unique, type UserErrors } from '../fixtures';
import { payWithCard, TEST_CARDS } from '../fixtures/cards';
import { confirmationCode } from '../fixtures/mail';

const CREATE_MERCHANT = `
  mutation CreateMerchant($input: CreateMerchantInput!) {
    createMerchant(input: $input) { merchant { id name } userErrors { code field message } }
  }
`;
const LOGIN = `
  mutation Login($input: LoginInput!) {
    login(input: $input) { user { id } userErrors { code field message } }
  }
`;
const CREATE_CARD_PAYMENT = `
  mutation CreateCardPayment($input: CreateCardPaymentInput!) {
    createCardPayment(input: $input) { payment { id } payUrl userErrors { code field message } }
  }
`;

/** A merchant of its own (no other spec moves its balance), its owner logged in in a browser of their own. */
async function newMerchant(admin: Page, browser: Browser) {
  const name = `Payout Shop ${unique()}`;
  const email = `payouts-${unique()}@e2e.tollgate.test`;
  const password = 'e2e-payout-owner-password';
  const created = await gql<{ createMerchant: UserErrors }>(admin.request, CREATE_MERCHANT, {
    input: { name, ownerEmail: email, ownerName: 'Pat Payout', ownerPassword: password },
  });
  expectNoUserErrors(created.createMerchant);
  const context = await browser.newContext();
  const owner = await context.newPage();
  const login = await gql<{ login: UserErrors }>(owner.request, LOGIN, { input: { email, password } });
  expectNoUserErrors(login.login);
  return { name, email, owner };
}

/** The merchant's EUR balance funded as a shop's would be: a card payment, paid by a payer with a test card. */
async function fundByCard(owner: Page, browser: Browser, amount: string): Promise<void> {
  const data = await gql<{ createCardPayment: UserErrors & { payUrl: string } }>(owner.request, CREATE_CARD_PAYMENT, {
    input: { amount, currency: 'EUR', description: `Payout funding ${unique()}`, idempotencyKey: `e2e-${unique()}` },
  });
  expectNoUserErrors(data.createCardPayment);
  const context = await browser.newContext();
  const payer = await context.newPage();
  await payer.goto(new URL(data.createCardPayment.payUrl).pathname);
  await payWithCard(payer, TEST_CARDS.approve);
  await expect(payer.getByTestId('card-paid')).toBeVisible();
  await context.close();
}

/** Cents of an amount as the page shows it ("1,234.50 EUR"). */
function cents(shown: string): bigint {
  const match = /(-?)([\d,]+)\.(\d{2})/.exec(shown);
  if (!match) throw new Error(`no amount in "${shown}"`);
  const value = BigInt(match[2]!.replace(/,/g, '')) * 100n + BigInt(match[3]!);
  return match[1] ? -value : value;
}

function decimal(value: bigint): string {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}

/** The EUR row of the Payouts page's balances: its Available and Held cells. */
function eurBalance(page: Page) {
  const row = page
    .getByRole('table', { name: 'Payout balances' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: 'EUR', exact: true }) });
  return { available: row.getByRole('cell').nth(1), held: row.getByRole('cell').nth(2) };
}

test('a merchant withdraws a card-funded EUR balance to an IBAN; the admin pays it by SEPA file, and a return restores the balance', async ({
  adminPage: admin,
  browser,
}) => {
  test.setTimeout(120_000);
  const { name, email, owner } = await newMerchant(admin, browser);
  await fundByCard(owner, browser, '50.00');

  // The balance the card payment left (less the plan's card fee), shown on the Payouts page.
  await owner.goto('/dashboard/payouts');
  await expect(owner.getByRole('heading', { level: 1, name: 'Payouts' })).toBeVisible();
  const balance = eurBalance(owner);
  await expect(balance.available).toContainText('EUR');
  const funded = cents((await balance.available.textContent()) ?? '');
  expect(funded).toBeGreaterThan(2000n);
  // This e2e server's cool-off is the shortest the platform allows (PAYOUT_COOL_OFF_HOURS=0).
  await expect(owner.getByTestId('cool-off-hours')).toHaveText('0 hours');

  // Payout details: an IBAN, confirmed with the code emailed to the owner (read from the SMTP listener).
  const add = owner.getByRole('form', { name: 'Add payout details' });
  await add.getByLabel('Account holder').fill('Pat Payout');
  await add.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 00');
  await add.getByLabel('BIC').fill('COBADEFFXXX');
  await add.getByRole('button', { name: 'Add and send code' }).click();
  const destinations = owner.getByRole('table', { name: 'Payout destinations' });
  const ibanRow = destinations.getByRole('row').filter({ hasText: 'DE89 3704 0044 0532 0130 00' });
  await expect(ibanRow).toContainText('Waiting for the code');
  const destinationCode = await confirmationCode(email, 'Confirm your new payout details');
  const confirmIban = owner.getByRole('form', { name: /^Confirm IBAN DE89/ });
  await confirmIban.getByLabel('Code from the email').fill(destinationCode);
  await confirmIban.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(ibanRow).toContainText('Active');
  // The cool-off waited out: the page says the details may be used.
  await expect(ibanRow).toContainText('Usable now');

  // A withdrawal of 20.00 EUR, confirmed with its own emailed code: the amount is held.
  const request = owner.getByRole('form', { name: 'Request a withdrawal' });
  await request.getByLabel('Amount').fill('20.00');
  await request.getByLabel('Currency').selectOption('EUR');
  await expect(request.getByLabel('To')).toContainText('DE89 3704');
  await request.getByRole('button', { name: 'Request withdrawal' }).click();
  const withdrawals = owner.getByRole('table', { name: 'Withdrawals' });
  const withdrawalRow = withdrawals.getByRole('row').filter({ hasText: '20.00 EUR' });
  await expect(withdrawalRow).toContainText('Waiting for the code');
  const withdrawalCode = await confirmationCode(email, 'Confirm your withdrawal');
  const confirmWithdrawal = owner.getByRole('form', { name: 'Confirm the withdrawal of 20.00 EUR' });
  await confirmWithdrawal.getByLabel('Code from the email').fill(withdrawalCode);
  await confirmWithdrawal.getByRole('button', { name: 'Confirm withdrawal' }).click();
  await expect(withdrawalRow).toContainText('Confirmed');
  await expect(balance.available).toHaveText(`${decimal(funded - 2000n)} EUR`);
  await expect(balance.held).toHaveText('20.00 EUR');

  // The admin's queue: the withdrawal with its review; approved.
  await admin.goto('/admin/payouts');
  const queue = admin.getByRole('table', { name: 'Withdrawal queue' });
  const queued = queue.getByRole('row').filter({ hasText: name });
  await expect(queued).toContainText('20.00 EUR');
  await expect(queued).toContainText('first payout');
  const withdrawalId = ((await queued.locator('code').first().textContent()) ?? '').trim();
  expect(withdrawalId).toMatch(/^wdr_/);
  await queued.getByRole('button', { name: `Approve ${withdrawalId}` }).click();
  await expect(queue.getByRole('row').filter({ hasText: name })).toHaveCount(0);

  // A SEPA batch in EUR, and its pain.001 file downloaded.
  const batchForm = admin.getByRole('form', { name: 'Create payout batch' });
  await batchForm.getByLabel('Rail').selectOption('SEPA');
  await batchForm.getByLabel('Currency').selectOption('EUR');
  await batchForm.getByRole('button', { name: 'Create batch' }).click();
  await expect(batchForm.getByRole('status')).toContainText(/Batch pbt_\S+ holds \d+ withdrawals/);
  const batchId = /Batch (pbt_\S+) holds/.exec((await batchForm.getByRole('status').textContent()) ?? '')![1]!;
  const batchRow = admin.getByRole('table', { name: 'Payout batches' }).getByRole('row').filter({ hasText: batchId });
  const downloading = admin.waitForEvent('download');
  await batchRow.getByRole('button', { name: `Download the file of ${batchId}` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${batchId}.xml`);
  const xml = await readFile(await download.path(), 'utf8');
  expect(xml).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
  const transaction = new RegExp(
    `<EndToEndId>${withdrawalId}</EndToEndId>[\\s\\S]*?<InstdAmt Ccy="EUR">([\\d.]+)</InstdAmt>`,
  ).exec(xml);
  expect(transaction, 'the withdrawal is a transaction of the file').not.toBeNull();
  const sent = transaction![1]!;
  expect(cents(sent)).toBeLessThanOrEqual(2000n);
  await expect(batchRow).toContainText('exported 1×');

  // The bank's status file: our line paid, and an extra line reported as a mismatch that changes nothing.
  const statusCsv =
    'withdrawal_id,status,amount,currency,bank_reference\n' +
    `${withdrawalId},PAID,${sent},EUR,BANK-${unique()}\n` +
    'wdr_not_ours,PAID,1.00,EUR,BANK-EXTRA\n';
  const importForm = admin.getByRole('form', { name: 'Import bank status' });
  await importForm
    .getByLabel('Status file')
    .setInputFiles({ name: 'status.csv', mimeType: 'text/csv', buffer: Buffer.from(statusCsv) });
  await expect(importForm.getByLabel('Status CSV')).toHaveValue(statusCsv);
  await importForm.getByRole('button', { name: 'Import' }).click();
  await expect(admin.getByText('1 of 2 lines matched; 1 mismatched or refused.')).toBeVisible();
  const report = admin.getByRole('table', { name: 'Import report' });
  await expect(report.getByRole('row').filter({ hasText: withdrawalId })).toContainText('paid');
  await expect(report.getByRole('row').filter({ hasText: 'wdr_not_ours' })).toContainText('unknown withdrawal');

  // The merchant: paid, the 20.00 gone from the balance for good, nothing held any more.
  await owner.reload();
  await expect(withdrawalRow).toContainText('Paid');
  await expect(balance.available).toHaveText(`${decimal(funded - 2000n)} EUR`);
  await expect(balance.held).toHaveText('0.00 EUR');

  // The bank sends the payout back: the admin records the return, and the merchant's balance is whole again.
  await admin.getByLabel('Show').selectOption('PAID');
  const paidRow = admin
    .getByRole('table', { name: 'All withdrawals' })
    .getByRole('row')
    .filter({ hasText: withdrawalId });
  await paidRow.getByRole('button', { name: `Mark returned: ${withdrawalId}` }).click();
  const returnForm = admin.getByRole('form', { name: `Mark returned: ${withdrawalId}` });
  await returnForm.getByLabel('Reason').fill('Returned by the bank: account closed');
  await returnForm.getByRole('button', { name: 'Mark returned' }).click();
  await admin.getByLabel('Show').selectOption('RETURNED');
  await expect(
    admin.getByRole('table', { name: 'All withdrawals' }).getByRole('row').filter({ hasText: withdrawalId }),
  ).toContainText('Returned');

  await owner.reload();
  await expect(withdrawalRow).toContainText('Returned');
  await expect(balance.available).toHaveText(`${decimal(funded)} EUR`);
  await owner.context().close();
});

/** The fields of one CSV line (quoted fields may hold commas and doubled quotes). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

test('a merchant pays out to its own card automatically, switches it off, and its statement CSV closes where the page does', async ({
  adminPage: admin,
  browser,
}) => {
  test.setTimeout(120_000);
  const { email, owner } = await newMerchant(admin, browser);
  await fundByCard(owner, browser, '40.00');

  // Payout details: the owner's card, typed into the form and tokenised; the number and code are gone once sent.
  await owner.goto('/dashboard/payouts');
  const add = owner.getByRole('form', { name: 'Add payout details' });
  await add.getByLabel('Kind').selectOption('CARD');
  await add.getByLabel('Name on card').fill('Pat Payout');
  await add.getByLabel('Card number').fill(TEST_CARDS.approve);
  await add.getByLabel('Expiry (MM/YY)').fill('12/39');
  await add.getByLabel('Security code (CVC)').fill('123');
  await add.getByRole('button', { name: 'Add and send code' }).click();
  const last4 = TEST_CARDS.approve.slice(-4);
  const cardRow = owner
    .getByRole('table', { name: 'Payout destinations' })
    .getByRole('row')
    .filter({ hasText: `•••• ${last4}` });
  await expect(cardRow).toContainText('Waiting for the code');
  const destinationCode = await confirmationCode(email, 'Confirm your new payout details');
  const confirmCard = owner.getByRole('form', { name: new RegExp(`^Confirm .*•••• ${last4}$`) });
  await confirmCard.getByLabel('Code from the email').fill(destinationCode);
  await confirmCard.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(cardRow).toContainText('Active');

  // Automatic payouts of EUR to that card, above a reserve, confirmed by their own code; then switched off.
  const auto = owner.getByRole('form', { name: 'Set up automatic payouts' });
  await auto.getByLabel('Currency').selectOption('EUR');
  await auto.getByLabel('Schedule').selectOption('WEEKLY');
  await auto.getByLabel('Reserve').fill('10.00');
  await expect(auto.getByLabel('Pay out to')).toContainText(`•••• ${last4}`);
  await auto.getByRole('button', { name: 'Request and send code' }).click();
  const autoRow = owner
    .getByRole('table', { name: 'Automatic payouts' })
    .getByRole('row')
    .filter({ has: owner.getByRole('cell', { name: 'EUR', exact: true }) });
  await expect(autoRow).toContainText('Waiting for the code');
  const autoCode = await confirmationCode(email, 'Confirm your automatic payouts');
  const confirmAuto = owner.getByRole('form', { name: 'Confirm automatic EUR payouts' });
  await confirmAuto.getByLabel('Code from the email').fill(autoCode);
  await confirmAuto.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(autoRow.getByRole('cell').nth(1)).toHaveText('On');
  await expect(autoRow).toContainText('10.00 EUR');
  await autoRow.getByRole('button', { name: 'Switch off' }).click();
  await owner
    .getByRole('group', { name: 'Switch off automatic EUR payouts' })
    .getByRole('button', { name: 'Switch off' })
    .click();
  await expect(autoRow.getByRole('cell').nth(1)).toHaveText('Off');

  // This month's EUR statement (withdrawals held by the schedule are no movement): the CSV closes where the page does.
  await owner.goto('/dashboard/statements');
  const period = owner.getByRole('form', { name: 'Statement period' });
  await period.getByLabel('Currency').selectOption('EUR');
  await period.getByRole('button', { name: 'Show statement' }).click();
  const closing = owner.getByTestId('statement-closing-balance');
  await expect(closing).toContainText('EUR');
  await expect(owner.getByRole('table', { name: 'Statement lines' })).toContainText('Credit');
  const shownClosing = cents((await closing.textContent()) ?? '');
  expect(shownClosing).toBeGreaterThan(0n);
  const downloading = owner.waitForEvent('download');
  await owner.getByRole('link', { name: 'Download CSV' }).click();
  const download = await downloading;
  const rows = (await readFile(await download.path(), 'utf8')).trim().split(/\r?\n/).map(csvFields);
  const header = rows[0]!;
  const closingRow = rows.find((row) => row[header.indexOf('type')] === 'CLOSING_BALANCE');
  expect(closingRow, 'the CSV ends with its closing balance').toBeDefined();
  expect(closingRow![header.indexOf('currency')]).toBe('EUR');
  expect(cents(closingRow![header.indexOf('balance')]!)).toBe(shownClosing);
  await owner.context().close();
});
