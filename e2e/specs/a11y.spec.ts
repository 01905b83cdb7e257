import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, expectNoUserErrors, gql, unique, type UserErrors } from '../fixtures';
import { logInThroughApi } from '../fixtures/auth';
import { md5 } from '../fixtures/purses';

/** Every page in the merchant dashboard's and the admin console's navigation (router.tsx), by path. */
const MERCHANT_PAGES = [
  '',
  'payments',
  'chargebacks',
  'payouts',
  'statements',
  'purses',
  'access-codes',
  'vouchers',
  'sms',
  'tariffs',
  'ledger',
  'credit',
  'api-keys',
  'team',
  'webhooks',
  'alerts',
  'audit',
  'simulator',
];
const ADMIN_PAGES = [
  'merchants',
  'fee-plans',
  'chargebacks',
  'payouts',
  'reconciliation',
  'operator-settlement',
  'sms',
  'tariffs',
  'vouchers',
  'ledger',
  'suspense',
  'credit',
  'outbox',
  'mail',
  'audit',
  'simulator',
];

/** Waits for the page as a person sees it: its heading, and no spinner left. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  await expect(page.locator('.state--loading')).toHaveCount(0);
  await expect(page).toHaveTitle(/ · Tollgate$/);
}

/** Fails on any serious or critical axe violation (WCAG 2.1 A/AA and axe's best practices), naming each. */
async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
    }));
  expect(serious, `axe on ${page.url()}`).toEqual([]);
}

test.describe('merchant dashboard', () => {
  for (const path of MERCHANT_PAGES) {
    test(`/dashboard/${path} has no serious accessibility violations`, async ({ ownerPage: page }) => {
      await page.goto(`/dashboard/${path}`);
      await settled(page);
      await expectAccessible(page);
    });
  }
});

test.describe('admin console', () => {
  for (const path of ADMIN_PAGES) {
    test(`/admin/${path} has no serious accessibility violations`, async ({ adminPage: page }) => {
      await page.goto(`/admin/${path}`);
      await settled(page);
      await expectAccessible(page);
    });
  }
});

test('the login page has no serious accessibility violations', async ({ page }) => {
  await page.goto('/login');
  await settled(page);
  await expect(page).toHaveTitle('Log in · Tollgate');
  await expectAccessible(page);
});

test.describe('payer pages', () => {
  test('/pay/:token', async ({ ownerPage, payments, browser }) => {
    const payment = await payments.create(ownerPage.request, {
      amount: '5.00',
      currency: 'EUR',
      description: `E2E a11y ${unique()}`,
    });
    const payer = await (await browser.newContext()).newPage();
    await payer.goto(new URL(payment.payerUrl).pathname);
    await settled(payer);
    await expectAccessible(payer);
  });

  test('/p/:slug', async ({ ownerPage, browser }) => {
    const data = await gql<{ voucherProjects: { edges: { node: { slug: string } }[] } }>(
      ownerPage.request,
      '{ voucherProjects { edges { node { slug } } } }',
    );
    const payer = await (await browser.newContext()).newPage();
    await payer.goto(`/p/${data.voucherProjects.edges[0].node.slug}`);
    await settled(payer);
    await expectAccessible(payer);
  });

  test('/codes/:serviceId', async ({ ownerPage, browser }) => {
    const data = await gql<{ accessCodeServices: { edges: { node: { id: string } }[] } }>(
      ownerPage.request,
      '{ accessCodeServices { edges { node { id } } } }',
    );
    const payer = await (await browser.newContext()).newPage();
    await payer.goto(`/codes/${data.accessCodeServices.edges[0].node.id}`);
    await settled(payer);
    await expectAccessible(payer);
  });

  test('/bank/pay/:token', async ({ ownerPage, browser }) => {
    const created = await gql<{ createPurse: UserErrors & { purse: { number: number }; secret: string } }>(
      ownerPage.request,
      `mutation($input: CreatePurseInput!) { createPurse(input: $input) {
        purse { number } secret userErrors { code field message } } }`,
      {
        input: {
          name: `E2E a11y ${unique()}`,
          resultUrl: 'http://127.0.0.1:9/result',
          successUrl: 'http://127.0.0.1:9/success',
          failUrl: 'http://127.0.0.1:9/fail',
        },
      },
    );
    expectNoUserErrors(created.createPurse);
    const { purse, secret } = created.createPurse;
    const order = [String(purse.number), '1', '2', '0', 'Game credits'];
    const form = new URLSearchParams([
      ['s_purse', order[0]],
      ['s_order_id', order[1]],
      ['s_amount', order[2]],
      ['s_clear_amount', order[3]],
      ['s_description', order[4]],
      ['s_sign', md5([...order, secret].join('::'))],
    ]);
    const posted = await ownerPage.request.post('/language/english/bank/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      data: form.toString(),
      maxRedirects: 0,
    });
    expect([302, 303]).toContain(posted.status());
    const location = new URL(posted.headers().location!, 'http://localhost').pathname;
    expect(location).toMatch(/^\/bank\/pay\//);
    const payer = await (await browser.newContext()).newPage();
    await payer.goto(location);
    await settled(payer);
    await expectAccessible(payer);
  });
});

test.describe('the frame', () => {
  test('a skip link leads past the navigation to the page', async ({ ownerPage: page }) => {
    await page.goto('/dashboard/payments');
    await settled(page);
    await expect(page).toHaveTitle('Payments · Tollgate');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('main')).toBeFocused();
  });

  test('at 390 px the navigation is a menu: it opens, leads to a page and closes', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await logInThroughApi(page, 'owner');
    await page.goto('/dashboard');
    await settled(page);
    const nav = page.getByRole('navigation', { name: 'Dashboard' });
    const toggle = page.getByRole('button', { name: 'Menu' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(nav.getByRole('link', { name: 'Payments' })).toBeHidden();

    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    // Focus moves into the menu, on the current page's link.
    await expect(nav.getByRole('link', { name: 'Overview' })).toBeFocused();
    await expectAccessible(page);

    // Escape closes it and gives focus back to the button.
    await page.keyboard.press('Escape');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(toggle).toBeFocused();

    await toggle.click();
    await nav.getByRole('link', { name: 'Payments' }).click();
    await expect(page).toHaveURL(/\/dashboard\/payments$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Payments' })).toBeVisible();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(nav.getByRole('link', { name: 'Payments' })).toBeHidden();
    await expect(page.getByRole('main')).toBeFocused();
    await expect(page).toHaveTitle('Payments · Tollgate');
  });
});
