import { test, expect, gql, expectNoUserErrors, unique, type UserErrors } from '../fixtures';
import { mixedTariffPrice, simulateSms, voucherPhone } from '../fixtures/vouchers';

const CREATE_PROJECT = `
  mutation CreateProject($input: CreateVoucherProjectInput!) {
    createVoucherProject(input: $input) { project { id publicUrl } userErrors { code field message } }
  }
`;
const ADD_VOUCHERS = `
  mutation AddVouchers($input: AddVouchersInput!) { addVouchers(input: $input) { added userErrors { code field message } } }
`;
const START = `
  mutation Start($input: StartVoucherPaymentInput!) {
    startVoucherPayment(input: $input) { purchase { reference } userErrors { code field message } }
  }
`;
const SIMULATE = `
  mutation Simulate($input: SimulateInboundSmsInput!) {
    simulateInboundSms(input: $input) { sms { status } userErrors { code field message } }
  }
`;

test('an SMS after a voucher payment closed becomes the payer’s credit: their next purchase needs one SMS fewer, nobody else’s', async ({
  ownerPage: seller,
  browser,
}) => {
  const { country, price, shortCodes } = await mixedTariffPrice(seller.request);
  const created = await gql<{ createVoucherProject: UserErrors & { project: { id: string; publicUrl: string } } }>(
    seller.request,
    CREATE_PROJECT,
    { input: { name: `Credit voucher ${unique()}`, slug: `credit-${unique()}`.slice(0, 40), price, kind: 'PIN' } },
  );
  expectNoUserErrors(created.createVoucherProject);
  const project = created.createVoucherProject.project;
  const added = await gql<{ addVouchers: UserErrors & { added: number } }>(seller.request, ADD_VOUCHERS, {
    input: { projectId: project.id, csv: ['CR-1', 'CR-2', 'CR-3'].join('\n') },
  });
  expectNoUserErrors(added.addVouchers);
  const publicPath = new URL(project.publicUrl).pathname;
  const slug = publicPath.split('/').pop()!;

  // A first purchase, paid in full by two SMS; then the payer sends one SMS too many: the operator charged them.
  const payer = voucherPhone();
  const first = await gql<{ startVoucherPayment: UserErrors & { purchase: { reference: string } } }>(
    seller.request,
    START,
    { input: { slug, country } },
  );
  const firstReference = first.startVoucherPayment.purchase.reference;
  await simulateSms(seller.request, { from: payer, to: shortCodes[0], text: firstReference, country });
  await simulateSms(seller.request, { from: payer, to: shortCodes[1], text: firstReference, country });
  const extra = await gql<{ simulateInboundSms: UserErrors & { sms: { status: string } } }>(seller.request, SIMULATE, {
    input: { from: payer, to: shortCodes[1], text: firstReference, country },
  });
  expect(extra.simulateInboundSms.sms.status).toBe('CREDITED');

  // Someone else buys: their page gets no credit, and still needs both SMS.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await other.goto(publicPath);
  await other.getByLabel('Your country').selectOption(country);
  await other.getByRole('button', { name: 'Pay by SMS' }).click();
  const otherLines = other.getByTestId('sms-line');
  await expect(otherLines).toHaveCount(2);
  const otherReference = await other.getByTestId('payment-number').innerText();
  await simulateSms(other.request, { from: voucherPhone(), to: shortCodes[0], text: otherReference, country });
  await expect(otherLines.nth(0)).toHaveAttribute('data-state', 'RECEIVED');
  await expect(otherLines.nth(1)).toHaveAttribute('data-state', 'EXPECTED');
  await expect(other.getByTestId('credit-applied')).toHaveCount(0);
  await otherContext.close();

  // The payer's next purchase: two SMS expected until their first SMS arrives, then the credit counts as the SMS
  // it came from, and the voucher is theirs with one SMS fewer.
  const buyerContext = await browser.newContext();
  const buyer = await buyerContext.newPage();
  await buyer.goto(publicPath);
  await buyer.getByLabel('Your country').selectOption(country);
  await buyer.getByRole('button', { name: 'Pay by SMS' }).click();
  const lines = buyer.getByTestId('sms-line');
  await expect(lines).toHaveCount(2);
  await expect(buyer.getByTestId('credit-applied')).toHaveCount(0);
  const reference = await buyer.getByTestId('payment-number').innerText();
  await simulateSms(buyer.request, { from: payer, to: shortCodes[0], text: reference, country });
  await expect(buyer.getByTestId('credit-applied')).toBeVisible();
  await expect(buyer.getByTestId('voucher-code')).toBeVisible();
  await expect(lines).toHaveCount(1);
  await expect(lines.nth(0)).toHaveAttribute('data-state', 'RECEIVED');
  await buyerContext.close();

  // The seller sees the credit spent, and may keep unused credit longer than the platform minimum, never shorter.
  await seller.goto('/dashboard/credit');
  await expect(
    seller
      .getByRole('row')
      .filter({ hasText: payer.slice(-3) })
      .first(),
  ).toContainText('Spent');
  const period = seller.getByRole('form', { name: 'Credit period' });
  const days = period.getByLabel('Keep unused credit for (days)');
  await days.fill('10');
  await period.getByRole('button', { name: 'Save period' }).click();
  await expect(days).toHaveAttribute('aria-invalid', 'true');
  await expect(days).toBeFocused();
  await days.fill('45');
  await period.getByRole('button', { name: 'Save period' }).click();
  await expect(period.getByRole('status')).toHaveText('Saved.');
});
