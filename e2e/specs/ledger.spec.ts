import fs from 'node:fs';
import Papa from 'papaparse';
import { test, expect, DEMO, unique } from '../fixtures';
import { logInThroughApi } from '../fixtures/auth';

test('an admin posts a balanced adjustment; the merchant sees it in its balances and ledger', async ({
  adminPage: page,
  browser,
}) => {
  const why = `E2E opening balance ${unique()}`;
  await page.goto('/admin/ledger');
  const form = page.getByRole('form', { name: 'Ledger adjustment' });
  await form.getByLabel('Merchant').selectOption({ label: DEMO.merchantName });
  await form.getByLabel('Currency').selectOption('EUR');
  await form.getByLabel('Why').fill(why);

  // Unbalanced first: refused beside the entries, nothing posted.
  await form.getByLabel('Account of entry 1').selectOption('MERCHANT_AVAILABLE');
  await form.getByLabel('Amount of entry 1').fill('1000.00');
  await form.getByLabel('Account of entry 2').selectOption('WORLD');
  await form.getByLabel('Amount of entry 2').fill('-999.99');
  await form.getByRole('button', { name: 'Post adjustment' }).click();
  await expect(form.getByRole('alert')).toContainText('not zero');

  await form.getByLabel('Amount of entry 2').fill('-1000.00');
  await form.getByRole('button', { name: 'Post adjustment' }).click();
  await expect(form.getByRole('status')).toContainText('1000.00 EUR moved');

  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByText('Consistent', { exact: true })).toBeVisible();

  const context = await browser.newContext();
  const owner = await context.newPage();
  await logInThroughApi(owner, 'owner');
  await owner.goto('/dashboard');
  await expect(owner.getByRole('list', { name: 'Balances' })).toContainText('Available · EUR');
  await owner.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Ledger' }).click();
  const entry = owner.getByRole('table', { name: 'Ledger entries' }).getByRole('row').filter({ hasText: '+1,000.00' });
  await expect(entry.first()).toBeVisible();
  await entry
    .first()
    .getByRole('button', { name: /Show transfer/ })
    .click();
  // The row says what the money was for, and the transfer opened from it keeps the reason.
  await expect(entry.first()).toContainText(why);
  await expect(owner.getByRole('definition').filter({ hasText: why })).toBeVisible();
  await context.close();
});

test('the ledger list takes a date range from the URL and its CSV holds exactly what the list shows', async ({
  ownerPage: page,
}) => {
  // A range long before any entry: the list says so, and the range survives a reload (it is in the URL).
  await page.goto('/dashboard/ledger?from=2001-01-01&to=2001-01-31');
  const table = page.getByRole('table', { name: 'Ledger entries' });
  await expect(page.getByText('No entries yet.')).toBeVisible();
  await page.reload();
  await expect(page.getByText('No entries yet.')).toBeVisible();

  // Every date: the seeded entries, and the CSV of every page with the same cells.
  await page.goto('/dashboard/ledger');
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
  expect(download.suggestedFilename()).toBe('ledger-entries.csv');
  const text = fs.readFileSync(await download.path(), 'utf8');
  const [csvHeaders, ...csvRows] = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data;
  expect(csvHeaders).toEqual(headers);
  expect(csvRows).toHaveLength(total);
  // The CSV drops the screen's "+" on credits (a spreadsheet would take it for a formula).
  const normalise = (cell: string) =>
    cell
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\+(?=\d)/, '');
  expect(csvRows.slice(0, onScreen.length).map((row) => row.map(normalise))).toEqual(
    onScreen.map((row) => row.map(normalise)),
  );
});
