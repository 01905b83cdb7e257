import fs from 'node:fs';
import Papa from 'papaparse';
import type { Download, Locator, Page } from '@playwright/test';
import { test, expect, expectNoUserErrors, gql, unique, type UserErrors } from '../fixtures';
import { mixedTariffPrice } from '../fixtures/vouchers';

/** Today as the date range reads it: a UTC day. */
const today = () => new Date().toISOString().slice(0, 10);

const normalise = (cell: string) => cell.replace(/\s+/g, ' ').trim();

/**
 * The table's data as a user reads it: its headers and every row's cells, without the actions column (buttons, not
 * data, under an empty header).
 */
async function shown(table: Locator): Promise<{ headers: string[]; rows: string[][] }> {
  const headers = (await table.locator('thead th').allTextContents()).map(normalise);
  const keep = headers.map((header) => header !== '');
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td as HTMLElement).innerText)),
    );
  return {
    headers: headers.filter((_, index) => keep[index]),
    rows: rows.map((row) => row.filter((_, index) => keep[index]).map(normalise)),
  };
}

/** Clicks the button, and reads the CSV it downloads. */
async function downloadCsv(page: Page, button: Locator): Promise<{ download: Download; rows: string[][] }> {
  const downloading = page.waitForEvent('download');
  await button.click();
  const download = await downloading;
  const text = fs.readFileSync(await download.path(), 'utf8');
  // A cell that would start like a formula ("+359…") is written with a leading "'", which a spreadsheet reads as
  // "this is text" and does not show: the cell a reader sees is the one without it.
  const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.map((row) =>
    row.map((cell) => normalise(cell.replace(/^'(?=[=+\-@])/, ''))),
  );
  return { download, rows };
}

/** The list's total as its pager counts it ("1–3 of 3"). */
async function totalOf(scope: Locator | Page, fallback: number): Promise<number> {
  const count = await scope.locator('.pager__count').textContent();
  return Number(/of (\d+)/.exec(count ?? '')?.[1] ?? fallback);
}

test('voucher sales take their state and dates from the URL, and the CSV holds exactly what the list shows', async ({
  ownerPage: page,
}) => {
  // A project of its own with stock, and a buyer who starts paying (the order is "Paying" until the SMS).
  const { country, price } = await mixedTariffPrice(page.request);
  const slug = `e2e-filters-${unique()}`.toLowerCase().slice(0, 40);
  const created = await gql<{ createVoucherProject: UserErrors & { project: { id: string } | null } }>(
    page.request,
    `mutation($input: CreateVoucherProjectInput!) {
      createVoucherProject(input: $input) { project { id } userErrors { code field message } } }`,
    { input: { name: `Filters ${slug}`, slug, kind: 'PIN', price } },
  );
  expectNoUserErrors(created.createVoucherProject);
  const projectId = created.createVoucherProject.project!.id;
  const added = await gql<{ addVouchers: UserErrors & { added: number } }>(
    page.request,
    `mutation($input: AddVouchersInput!) { addVouchers(input: $input) { added userErrors { code field message } } }`,
    { input: { projectId, csv: `PIN${unique()}A\nPIN${unique()}B` } },
  );
  expectNoUserErrors(added.addVouchers);
  const references: string[] = [];
  for (let i = 0; i < 2; i++) {
    const started = await gql<{ startVoucherPayment: UserErrors & { purchase: { reference: string } | null } }>(
      page.request,
      `mutation($input: StartVoucherPaymentInput!) {
        startVoucherPayment(input: $input) { purchase { reference } userErrors { code field message } } }`,
      { input: { slug, country } },
    );
    expectNoUserErrors(started.startVoucherPayment);
    references.push(started.startVoucherPayment.purchase!.reference);
  }

  const filters = page.getByRole('search', { name: 'Filter sales' });
  const table = page.getByRole('table', { name: 'Voucher sales' });

  // A month long before the project existed: nothing matches, and a reload keeps the range (it is in the URL).
  await page.goto(`/dashboard/vouchers/${projectId}?from=2001-01-01&to=2001-01-31`);
  await expect(filters.getByLabel('From', { exact: true })).toHaveValue('2001-01-01');
  await expect(filters.getByLabel('To', { exact: true })).toHaveValue('2001-01-31');
  await expect(page.getByText('No sales match.')).toBeVisible();
  await page.reload();
  await expect(page.getByText('No sales match.')).toBeVisible();

  // Today and "Paying", from a shared link: both orders, and the CSV is the list cell for cell.
  await page.goto(`/dashboard/vouchers/${projectId}?state=RESERVED&from=${today()}&to=${today()}`);
  await expect(filters.getByLabel('State')).toHaveValue('RESERVED');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  for (const reference of references) await expect(table).toContainText(reference);
  const list = await shown(table);
  expect(list.rows.every((row) => row[list.headers.indexOf('State')].startsWith('Paying'))).toBe(true);
  const csv = await downloadCsv(page, filters.getByRole('button', { name: 'Download CSV' }));
  expect(csv.download.suggestedFilename()).toBe(`voucher-sales-${projectId}.csv`);
  expect(csv.rows).toEqual([list.headers, ...list.rows]);

  // Another state narrows the same range to nothing; the URL follows the filter.
  await filters.getByLabel('State').selectOption({ label: 'Sold' });
  await expect(page).toHaveURL(/state=SOLD/);
  await expect(page.getByText('No sales match.')).toBeVisible();
});

test('code checks take their dates from the URL; the codes and checks CSVs hold exactly what the lists show', async ({
  ownerPage: page,
}) => {
  const keyword = `LF${unique()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`.slice(0, 20);
  const created = await gql<{
    createAccessCodeService: UserErrors & { accessCodeService: { id: string; checkUrl: string } | null };
  }>(
    page.request,
    `mutation($input: CreateAccessCodeServiceInput!) {
      createAccessCodeService(input: $input) {
        accessCodeService { id checkUrl } userErrors { code field message } } }`,
    {
      input: {
        name: `Filters ${keyword}`,
        keyword,
        shortCodes: ['1096'],
        replyTemplate: 'Code {code}',
        kind: 'USES',
        maxUses: 3,
        codeLength: 8,
        alphabet: 'LETTERS_AND_DIGITS',
        paidUrl: 'https://shop.example/paid',
        expiredUrl: 'https://shop.example/expired',
        invalidUrl: 'https://shop.example/invalid',
        allowedIps: ['192.0.2.10'],
      },
    },
  );
  expectNoUserErrors(created.createAccessCodeService);
  const service = created.createAccessCodeService.accessCodeService!;

  // Two SMS buy two codes; two made-up codes are checked (and refused) through the check URL.
  for (let i = 0; i < 2; i++) {
    const sent = await gql<{ simulateInboundSms: { sms: { status: string } } }>(
      page.request,
      `mutation($input: SimulateInboundSmsInput!) { simulateInboundSms(input: $input) { sms { status } } }`,
      { input: { from: `+35988${String(Date.now() + i).slice(-7)}`, to: '1096', text: keyword, country: 'BG' } },
    );
    expect(sent.simulateInboundSms.sms.status).toBe('COUNTED');
  }
  for (const made of ['MADEUP01', 'MADEUP02']) {
    const response = await page.request.get(`${service.checkUrl}?code=${made}`, { maxRedirects: 0 });
    expect(response.headers().location).toContain('/invalid');
  }

  const checkFilters = page.getByRole('search', { name: 'Filter check attempts' });
  const checks = page.getByRole('table', { name: 'Check attempts' });
  const checksCard = page.locator('section.card').filter({ has: checks });

  // A range long before: no checks match, and a reload keeps it.
  await page.goto(`/dashboard/access-codes/${service.id}?checkFrom=2001-01-01&checkTo=2001-01-31`);
  await expect(checkFilters.getByLabel('From', { exact: true })).toHaveValue('2001-01-01');
  await expect(page.getByText('No checks match.')).toBeVisible();
  await page.reload();
  await expect(page.getByText('No checks match.')).toBeVisible();

  // Today's invalid checks, from a shared link (they are recorded a moment after each check: the list polls).
  await page.goto(`/dashboard/access-codes/${service.id}?checkResult=INVALID&checkFrom=${today()}&checkTo=${today()}`);
  await expect(checkFilters.getByLabel('Result')).toHaveValue('INVALID');
  await expect(checks.locator('tbody tr')).toHaveCount(2, { timeout: 15_000 });
  const checkList = await shown(checks);
  // What was typed is kept only as a hint (its start and length), never whole.
  expect(checkList.rows.map((row) => row[checkList.headers.indexOf('Typed')])).toEqual(['MA…(8)', 'MA…(8)']);
  const checkCsv = await downloadCsv(page, checksCard.getByRole('button', { name: 'Download CSV' }));
  expect(checkCsv.download.suggestedFilename()).toBe(`access-code-checks-${service.id}.csv`);
  expect(checkCsv.rows).toEqual([checkList.headers, ...checkList.rows]);

  // The codes issued today, and their CSV.
  const codes = page.getByRole('table', { name: 'Codes' });
  const codesCard = page.locator('section.card').filter({ has: codes });
  const codeFilters = page.getByRole('search', { name: 'Filter codes' });
  await codeFilters.getByRole('button', { name: 'Today' }).click();
  await expect(page).toHaveURL(new RegExp(`codeFrom=${today()}`));
  await expect(codes.locator('tbody tr')).toHaveCount(2);
  const codeList = await shown(codes);
  expect(await totalOf(codesCard, codeList.rows.length)).toBe(2);
  const codeCsv = await downloadCsv(page, codesCard.getByRole('button', { name: 'Download CSV' }));
  expect(codeCsv.download.suggestedFilename()).toBe(`access-codes-${service.id}.csv`);
  expect(codeCsv.rows).toEqual([codeList.headers, ...codeList.rows]);
});
