import { readFile } from 'node:fs/promises';
import { test, expect, gql } from '../fixtures';

// Both tests change or compare the whole catalogue, so they must not overlap.
test.describe.configure({ mode: 'serial' });

const HEADER =
  'country,country_name,currency,operator,short_code,price,price_usd,yield_usd,operator_share_usd,platform_fee_usd';

test('tariffs export as a CSV file; an import with a bad line shows that line and changes nothing', async ({
  adminPage: page,
}) => {
  await page.goto('/admin');
  await page.getByRole('navigation', { name: 'Admin console' }).getByRole('link', { name: 'Tariffs' }).click();
  await page.getByLabel(/^Country/).selectOption('BG');
  const row1092 = page.getByRole('table', { name: 'Tariffs of Bulgaria' }).getByRole('row').filter({ hasText: '1092' });
  await expect(row1092).toContainText('1.20 BGN');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^tollgate-tariffs-\d{4}-\d{2}-\d{2}\.csv$/);
  const exported = await readFile(await file.path(), 'utf8');
  const lines = exported.split('\r\n').filter(Boolean);
  expect(lines[0]).toBe(HEADER);
  const bg1092 = lines.find((line) => line.startsWith('BG,') && line.split(',')[4] === '1092');
  expect(bg1092).toBeDefined();

  // Line 2 is a good change (a new local price), line 3 is bad: the whole file must be refused.
  const changed = bg1092!.split(',');
  changed[5] = '1.50';
  const csv = [HEADER, changed.join(','), 'BG,Bulgaria,BGN,,1098,5.00,lots,1.00,0.50,0.20'].join('\r\n');

  await page.getByRole('button', { name: 'Import CSV' }).click();
  const form = page.getByRole('form', { name: 'Import tariffs' });
  await form.getByLabel('Or load a file').setInputFiles({
    name: 'tariffs.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  // A textarea's value has LF line ends whatever the file had; the import reads either.
  await expect(form.getByLabel('CSV', { exact: true })).toHaveValue(csv.replace(/\r\n/g, '\n'));
  await form.getByRole('button', { name: 'Import', exact: true }).click();

  const errors = form.getByRole('alert').filter({ hasText: 'Nothing was imported' });
  await expect(errors).toContainText('Line 3');
  await expect(errors).toContainText('price_usd');
  await expect(errors).not.toContainText('Line 2');

  await expect(row1092).toContainText('1.20 BGN');
  const after = await gql<{ exportTariffsCsv: string }>(page.request, '{ exportTariffsCsv }');
  expect(after.exportTariffsCsv).toBe(exported);
});

test('an admin adds a country and a tariff, edits it, and deactivates it; refusals show beside their fields', async ({
  adminPage: page,
}) => {
  // Two letters nobody uses: the catalogue only checks the shape. Q + a random letter keeps parallel runs apart.
  const code = `Q${String.fromCharCode(65 + Math.floor(Math.random() * 26))}`;
  const name = `E2E Land ${code}`;
  await page.goto('/admin/tariffs');

  const countries = page.getByRole('button', { name: 'New country' });
  await countries.click();
  const countryForm = page.getByRole('form', { name: 'New country' });
  await countryForm.getByLabel('Code').fill(code);
  await countryForm.getByLabel('Name').fill(name);
  await countryForm.getByLabel('Currency').fill('EUR');
  await countryForm.getByRole('button', { name: 'Add country' }).click();
  await expect(page.getByRole('table', { name: 'Countries' }).getByRole('row').filter({ hasText: name })).toBeVisible();

  const table = page.getByRole('table', { name: `Tariffs of ${name}` });
  await expect(page.getByText(`${name} has no tariffs yet.`)).toBeVisible();
  await page.getByRole('button', { name: 'New tariff' }).click();
  const form = page.getByRole('form', { name: 'New tariff' });
  await form.getByLabel('Short code').fill('12');
  await form.getByLabel('Local price (EUR)').fill('2.00');
  await form.getByLabel('USD price').fill('2.20');
  await form.getByLabel('Yield (USD)').fill('1.10');
  await form.getByLabel('Operator share (USD)').fill('0.88');
  await form.getByLabel('Platform fee (USD)').fill('0.22');
  await expect(form).toContainText('The parts add up to the USD price, 2.20.');
  await form.getByRole('button', { name: 'Add tariff' }).click();
  await expect(form.locator('.field', { has: page.getByLabel('Short code') }).getByRole('alert')).toContainText(
    'not a short code',
  );

  await form.getByLabel('Short code').fill('5555');
  await form.getByRole('button', { name: 'Add tariff' }).click();
  const row = table.getByRole('row').filter({ hasText: '5555' });
  await expect(row).toContainText('2.00 EUR');
  await expect(row).toContainText('active');

  await row.getByRole('button', { name: 'Edit 5555 (All operators)' }).click();
  const edit = page.getByRole('form', { name: 'Edit tariff' });
  await edit.getByLabel('Yield (USD)').fill('1.20');
  await edit.getByRole('button', { name: 'Save tariff' }).click();
  await expect(edit.locator('.field', { has: page.getByLabel('USD price') }).getByRole('alert')).toBeVisible();
  await edit.getByLabel('Operator share (USD)').fill('0.78');
  await edit.getByRole('button', { name: 'Save tariff' }).click();
  await expect(row).toContainText('1.20 USD');

  await row.getByRole('button', { name: 'Deactivate 5555 (All operators)' }).click();
  await row.getByRole('button', { name: 'Stop quoting' }).click();
  await expect(row).toContainText('inactive');
  await row.getByRole('button', { name: 'Reactivate 5555 (All operators)' }).click();
  await expect(row).not.toContainText('inactive');
});
