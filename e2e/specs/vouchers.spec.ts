import { test, expect, unique } from '../fixtures';
import { mixedTariffPrice, simulateSms, voucherPhone } from '../fixtures/vouchers';

test('a seller stocks a voucher project; a buyer pays it by two SMS of different tariffs and finds it again', async ({
  ownerPage: seller,
  browser,
}) => {
  const { country, countryName, price, shortCodes } = await mixedTariffPrice(seller.request);
  const name = `E2E voucher ${unique()}`;
  const codes = ['E2E-FIRST-0001', 'E2E-SECOND-0002', 'E2E-THIRD-0003'];

  // The seller creates the project and pastes three vouchers.
  await seller.goto('/dashboard/vouchers');
  const form = seller.getByRole('form', { name: 'New voucher project' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Price (USD)').fill(price);
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(seller.getByRole('heading', { level: 1, name })).toBeVisible();
  await seller.getByLabel('Vouchers (CSV)').fill(codes.join('\n'));
  await seller.getByRole('button', { name: 'Add vouchers' }).click();
  await expect(seller.getByTestId('vouchers-added')).toHaveText('3');
  const stock = seller.getByTestId('voucher-stock');
  await expect(stock.getByTestId('stock-available')).toHaveText('3');
  const publicPath = new URL(await seller.getByTestId('voucher-public-url').innerText()).pathname;

  // The buyer opens the public page, no login, and picks the country.
  const buyerContext = await browser.newContext();
  const buyer = await buyerContext.newPage();
  await buyer.goto(publicPath);
  await expect(buyer.getByRole('heading', { level: 1, name })).toBeVisible();
  await buyer.getByLabel('Your country').selectOption(country);
  await expect(buyer.getByLabel('Your country')).toHaveValue(country);
  await expect(buyer.locator('option:checked')).toHaveText(`${countryName} — 2 SMS`);
  await buyer.getByRole('button', { name: 'Pay by SMS' }).click();

  const lines = buyer.getByTestId('sms-line');
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toHaveAttribute('data-state', 'EXPECTED');
  await expect(lines.nth(0)).toContainText(shortCodes[0]);
  await expect(lines.nth(1)).toContainText(shortCodes[1]);
  const reference = await buyer.getByTestId('payment-number').innerText();
  await expect(lines.nth(0)).toContainText(reference);

  // The SMS arrive one by one; each line turns received without a reload.
  await buyer.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'no reload'));
  const phone = voucherPhone();
  await simulateSms(buyer.request, { from: phone, to: shortCodes[0], text: reference, country });
  await expect(lines.nth(0)).toHaveAttribute('data-state', 'RECEIVED');
  await expect(lines.nth(1)).toHaveAttribute('data-state', 'EXPECTED');
  await expect(buyer.getByTestId('voucher')).toHaveCount(0);
  await simulateSms(buyer.request, { from: phone, to: shortCodes[1], text: reference, country });
  await expect(lines.nth(1)).toHaveAttribute('data-state', 'RECEIVED');
  await expect(buyer.getByTestId('voucher-code')).toHaveText(codes[0]);
  expect(await buyer.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('no reload');

  // After a reload the voucher is still there; from the public page the lookup form finds it again.
  await buyer.reload();
  await expect(buyer.getByTestId('voucher-code')).toHaveText(codes[0]);
  await buyer.goto(publicPath);
  const lookup = buyer.getByRole('form', { name: 'Find my payment' });
  await lookup.getByLabel('Payment number').fill(reference.toLowerCase());
  await lookup.getByLabel('Your phone number').fill(phone);
  await lookup.getByRole('button', { name: 'Find my payment' }).click();
  await expect(buyer.getByTestId('voucher-code')).toHaveText(codes[0]);
  await expect(buyer.getByTestId('payment-number')).toHaveText(reference);
  await buyerContext.close();

  // The seller's dashboard shows the sale and one voucher fewer (it refreshes by itself).
  await expect(stock.getByTestId('stock-available')).toHaveText('2');
  await expect(stock.getByTestId('stock-sold')).toHaveText('1');
  const sale = seller.getByRole('row').filter({ hasText: reference });
  await expect(sale).toContainText('Sold');
  await expect(sale).toContainText(`${phone.slice(0, 4)}`);
});
