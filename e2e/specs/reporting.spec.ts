import fs from 'node:fs';
import Papa from 'papaparse';
import { test, expect, expectNoUserErrors, gql, unique, type UserErrors } from '../fixtures';
import { mixedTariffPrice, simulateSms, voucherPhone } from '../fixtures/vouchers';

const CREATE_PROJECT = `mutation($input: CreateVoucherProjectInput!) { createVoucherProject(input: $input) {
  project { id slug } userErrors { code field message } } }`;
const ADD_VOUCHERS = `mutation($input: AddVouchersInput!) { addVouchers(input: $input) {
  added userErrors { code field message } } }`;
const START = `mutation($input: StartVoucherPaymentInput!) { startVoucherPayment(input: $input) {
  purchase { reference instruction { shortCode } } userErrors { code field message } } }`;

// Each period change runs the report again: a busy machine needs longer than the default.
test.describe.configure({ timeout: 120_000 });

/** The revenue figure of USD for the whole period, as the chart's table totals it. */
function revenueFigure(page: import('@playwright/test').Page) {
  return page.getByRole('figure', { name: 'Revenue (USD)' });
}

test('the reporting home charts the seeded payments, each chart with its numbers', async ({ ownerPage: page }) => {
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  // The last 30 days by default: the demo's paid "Premium month" (12.50 USD, paid when seeded) is in them.
  await expect(page.getByRole('button', { name: '30 days' })).toHaveAttribute('aria-pressed', 'true');
  const revenue = revenueFigure(page);
  // The first report of a fresh server can take a while on a busy machine.
  await expect(revenue.locator('.recharts-wrapper > svg')).toBeVisible({ timeout: 30_000 });
  const table = revenue.getByRole('table');
  await expect(table.getByRole('row')).toHaveCount(32); // header, 30 days, total
  const total = table.getByRole('row', { name: /^Total/ });
  await expect(total).not.toContainText(/^Total\s*0\s/);
  const conversion = page.getByRole('figure', { name: 'Started → paid' });
  await expect(conversion.locator('.recharts-wrapper > svg')).toBeVisible();
  const started = conversion.getByRole('table').getByRole('cell').first();
  expect(Number(await started.textContent())).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('figure', { name: 'Top products' }).getByRole('table')).toContainText('Balance top-ups');
  await expect(page.getByRole('figure', { name: 'SMS by country' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'SMS by operator' })).toBeVisible();
});

test('top products name the product that took the payments and link to its page', async ({
  ownerPage: page,
  browser,
}) => {
  // A voucher project of the demo merchant sells one voucher, paid by SMS.
  const name = `Report gift cards ${unique()}`;
  const { country, price } = await mixedTariffPrice(page.request);
  const created = await gql<{ createVoucherProject: UserErrors & { project: { id: string; slug: string } } }>(
    page.request,
    CREATE_PROJECT,
    { input: { name, slug: `e2e-report-${unique()}`, price, kind: 'PIN' } },
  );
  expectNoUserErrors(created.createVoucherProject);
  const { id: projectId, slug } = created.createVoucherProject.project;
  const added = await gql<{ addVouchers: UserErrors & { added: number } }>(page.request, ADD_VOUCHERS, {
    input: { projectId, csv: `E2E-REPORT-${unique()}` },
  });
  expectNoUserErrors(added.addVouchers);
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

  // Its row says the project's name, not a payment's description, beside the chart.
  await page.goto('/dashboard');
  const products = page.getByRole('figure', { name: 'Top products' });
  await expect(products.locator('.recharts-wrapper > svg')).toBeVisible({ timeout: 30_000 });
  const row = products.getByRole('table').getByRole('row').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell').first()).toHaveText('Voucher project');
  await expect(row.getByRole('cell').nth(1)).toHaveText('1');

  await row.getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/vouchers/${projectId}$`));
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
});

test('changing the date range changes the figures, and the range is in the URL', async ({ ownerPage: page }) => {
  await page.goto('/dashboard');
  const conversion = page.getByRole('figure', { name: 'Started → paid' }).getByRole('table');
  await expect(conversion.getByRole('cell').first()).not.toHaveText('0', { timeout: 30_000 });

  // A month long before the demo existed: nothing started, nothing paid.
  await page.getByLabel('From', { exact: true }).fill('2020-01-01');
  await page.getByLabel('To', { exact: true }).fill('2020-01-31');
  await expect(page).toHaveURL(/from=2020-01-01/);
  await expect(page).toHaveURL(/to=2020-01-31/);
  await expect(conversion.getByRole('cell').first()).toHaveText('0');
  await expect(page.getByText('No paid payments in this period or the one before.')).toBeVisible();

  // An impossible range is said in words, not sent.
  await page.getByLabel('From', { exact: true }).fill('2020-02-15');
  await expect(page.getByRole('alert')).toHaveText('The start must be on or before the end.');

  // A preset brings the figures back.
  await page.getByRole('button', { name: '30 days' }).click();
  await expect(revenueFigure(page).getByRole('table')).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Started → paid' }).getByRole('cell').first()).not.toHaveText('0');
});

test('the payments CSV holds exactly the rows and cells the filtered list shows', async ({ ownerPage: page }) => {
  await page.goto('/dashboard/payments?status=PAID');
  await expect(page.getByLabel('Status')).toHaveValue('PAID');
  const table = page.getByRole('table', { name: 'Payments' });
  const rows = table.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const headers = await table.locator('thead th').allTextContents();
  const onScreen = await rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td as HTMLElement).innerText.trim())),
  );
  const count = await page.locator('.pager__count').textContent();
  const total = Number(/of (\d+)/.exec(count ?? '')?.[1] ?? onScreen.length);

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('payments.csv');
  const text = fs.readFileSync(await download.path(), 'utf8');
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  const [csvHeaders, ...csvRows] = parsed.data;
  expect(csvHeaders).toEqual(headers);
  // Every page, not only the one on screen.
  expect(csvRows).toHaveLength(total);
  // The rows on screen are the CSV's first rows, cell for cell (line breaks as the cell shows them).
  expect(csvRows.slice(0, onScreen.length).map((row) => row.map((cell) => cell.trim()))).toEqual(onScreen);
  for (const row of csvRows) expect(row[headers.indexOf('Status')]).toBe('Paid');
});
