import fs from 'node:fs';
import Papa from 'papaparse';
import { test, expect, gql } from '../fixtures';

/** The visible text of every body row's cells, whitespace folded. */
async function tableCells(table: import('@playwright/test').Locator): Promise<string[][]> {
  return table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td')).map((td) => (td as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
      ),
    );
}

async function readDownload(download: import('@playwright/test').Download): Promise<string[][]> {
  const text = fs.readFileSync(await download.path(), 'utf8');
  return Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.map((row) =>
    row.map((cell) => cell.replace(/\s+/g, ' ').trim()),
  );
}

test('a merchant reads its yield per tariff, filters a country in the URL and downloads exactly the rows shown', async ({
  ownerPage: page,
}) => {
  await page.goto('/dashboard');
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Tariffs' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tariffs' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Yield per SMS by tariff' });
  // Every served country of the demo catalogue is listed before a filter.
  await expect(table.getByRole('row').filter({ hasText: 'Bulgaria (BG)' }).first()).toBeVisible();
  await expect(table.getByRole('row').filter({ hasText: 'Germany (DE)' }).first()).toBeVisible();

  await page.getByLabel('Country').selectOption({ label: 'Bulgaria (BG)' });
  await expect(page).toHaveURL(/[?&]country=BG(&|$)/);
  const rows = table.locator('tbody tr');
  // The demo seed's Bulgaria: 1092, 1094 and 1096 for all operators, and Yettel's own 1096.
  await expect(rows).toHaveCount(4);
  await expect(table.getByRole('row').filter({ hasText: 'Germany' })).toHaveCount(0);
  const yettel = table.getByRole('row').filter({ hasText: 'Yettel' });
  await expect(yettel).toContainText('1096');
  await expect(yettel).toContainText('4.90 BGN');
  await expect(yettel).toContainText('2.72 USD');

  // The nets on screen are the tariff table's yields, the operator shares and fees its own (the full table, seed 000).
  const { exportTariffsCsv } = await gql<{ exportTariffsCsv: string }>(page.request, '{ exportTariffsCsv }');
  const [, ...catalogue] = Papa.parse<string[]>(exportTariffsCsv.trim(), { skipEmptyLines: true }).data;
  const bulgaria = catalogue.filter((row) => row[0] === 'BG');
  const onScreen = await tableCells(table);
  expect(onScreen.map((cells) => [cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]])).toEqual(
    bulgaria.map(([, , currency, operator, shortCode, price, priceUsd, yieldUsd, share, fee]) => [
      operator || 'All operators',
      shortCode,
      `${price} ${currency}`,
      `${priceUsd} USD`,
      `${share} USD`,
      `${fee} USD`,
      `${yieldUsd} USD`,
    ]),
  );

  // The filter survives a reload: it is in the address.
  await page.reload();
  await expect(page.getByLabel('Country')).toHaveValue('BG');
  await expect(rows).toHaveCount(4);

  const headers = await table.locator('thead th').allTextContents();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('tariff-yields-BG.csv');
  const [csvHeaders, ...csvRows] = await readDownload(download);
  expect(csvHeaders).toEqual(headers);
  expect(csvRows).toEqual(await tableCells(table));

  // The full tariff table, the same CSV an admin exports.
  const fullDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download full tariff table' }).click();
  const full = await fullDownload;
  expect(fs.readFileSync(await full.path(), 'utf8')).toBe(exportTariffsCsv);
});
