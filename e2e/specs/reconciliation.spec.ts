import { test, expect, unique } from '../fixtures';

test('an admin imports an operator settlement with an unknown message id and sees it reported', async ({
  adminPage: page,
}) => {
  // A fresh operator name: the month's report holds this import alone.
  const operator = `e2e-operator-${unique()}`;
  const messageId = `e2e-nonexistent-${unique()}`;
  await page.goto('/admin');
  await page
    .getByRole('navigation', { name: 'Admin console' })
    .getByRole('link', { name: 'Operator settlement' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Operator settlement' })).toBeVisible();

  const form = page.getByRole('form', { name: 'Operator settlement' });
  await form.getByLabel('Operator', { exact: true }).fill(operator);
  await form.getByLabel('Month').fill('2026-11');
  await form.getByLabel('Settlement CSV').fill(`message_id,billed,amount\n${messageId},yes,0.50\n`);
  await form.getByRole('button', { name: 'Import settlement' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'lines:' })).toHaveText('1 lines: 1 unknown message.');
  const imported = page.getByRole('table', { name: 'Settlement import report' });
  await expect(imported.getByRole('row').filter({ hasText: messageId })).toContainText('unknown message');

  // The month's report, shown after the import, lists the id as unknown.
  await expect(page.getByRole('heading', { name: `Report: ${operator}, 2026-11` })).toBeVisible();
  await expect(page.locator('dl', { hasText: 'Unknown ids' })).toContainText(messageId);
  const report = page.getByRole('table', { name: 'Settlement report lines' });
  await expect(report.getByRole('row').filter({ hasText: messageId })).toContainText('unknown message');
});

test('the payout reconciliation page loads with its statement import', async ({ adminPage: page }) => {
  await page.goto('/admin/reconciliation');
  await expect(page.getByRole('heading', { level: 1, name: 'Payout reconciliation' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Reconciliation \(\d+ mismatches\)$/ })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Import bank statement' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Payouts page' })).toHaveAttribute('href', '/admin/payouts');
});
