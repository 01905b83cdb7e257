import { test, expect, expectNoUserErrors, gql, unique, type UserErrors } from '../fixtures';
import { mailTo } from '../fixtures/mail';
import { mixedTariffPrice, simulateSms, voucherPhone } from '../fixtures/vouchers';

const CREATE_PROJECT = `mutation($input: CreateVoucherProjectInput!) { createVoucherProject(input: $input) {
  project { id slug } userErrors { code field message } } }`;
const ADD_VOUCHERS = `mutation($input: AddVouchersInput!) { addVouchers(input: $input) {
  added userErrors { code field message } } }`;
const START = `mutation($input: StartVoucherPaymentInput!) { startVoucherPayment(input: $input) {
  purchase { reference instruction { shortCode } } userErrors { code field message } } }`;

test('an owner switches the voucher stock alert on; selling down to the threshold emails the chosen address once', async ({
  ownerPage: page,
  browser,
}) => {
  const recipient = `stock-${unique()}@example.com`;
  const name = `E2E alert ${unique()}`;

  // The owner switches the alert on, at one voucher left, to a chosen address.
  await page.goto('/dashboard/alerts');
  await expect(page).toHaveTitle('Alerts · Tollgate');
  const form = page.getByRole('form', { name: 'Voucher stock low' });
  await form.getByRole('checkbox').check();
  await form.getByLabel('Vouchers left').fill('x');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByLabel('Vouchers left')).toHaveAccessibleDescription(
    'Enter a whole number of vouchers, like 10.',
  );
  await form.getByLabel('Vouchers left').fill('1');
  await form.getByLabel('Send to').fill(recipient);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved: on');
  await page.reload();
  await expect(page.getByRole('form', { name: 'Voucher stock low' }).getByRole('checkbox')).toBeChecked();
  await expect(page.getByRole('form', { name: 'Voucher stock low' }).getByLabel('Send to')).toHaveValue(recipient);

  // A project with two vouchers; a buyer pays one by SMS: one left, at the threshold.
  const { country, price } = await mixedTariffPrice(page.request);
  const created = await gql<{ createVoucherProject: UserErrors & { project: { id: string; slug: string } } }>(
    page.request,
    CREATE_PROJECT,
    { input: { name, slug: `e2e-alert-${unique()}`, price, kind: 'PIN' } },
  );
  expectNoUserErrors(created.createVoucherProject);
  const { id: projectId, slug } = created.createVoucherProject.project;
  const added = await gql<{ addVouchers: UserErrors & { added: number } }>(page.request, ADD_VOUCHERS, {
    input: { projectId, csv: `E2E-ALERT-${unique()}\nE2E-ALERT-${unique()}` },
  });
  expectNoUserErrors(added.addVouchers);
  expect(added.addVouchers.added).toBe(2);

  const buyer = await browser.newContext();
  const started = await gql<{
    startVoucherPayment: UserErrors & { purchase: { reference: string; instruction: { shortCode: string }[] } };
  }>(buyer.request, START, { input: { slug, country } });
  expectNoUserErrors(started.startVoucherPayment);
  const { reference, instruction } = started.startVoucherPayment.purchase;
  const phone = voucherPhone();
  for (const line of instruction) {
    await simulateSms(buyer.request, { from: phone, to: line.shortCode, text: reference, country });
  }
  await buyer.close();

  // The alert reaches the chosen address (not the owners), naming the project and what is left.
  await expect
    .poll(async () => (await mailTo(recipient)).map((mail) => mail.subject), {
      message: `the stock alert mailed to ${recipient}`,
      timeout: 30_000,
    })
    .toEqual([`Tollgate: 1 voucher left in ${name}`]);
  const [mail] = await mailTo(recipient);
  expect(mail.text).toContain('your alert is set at 1');
});
