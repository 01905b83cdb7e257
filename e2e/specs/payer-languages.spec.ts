import { type APIRequestContext, type Page } from '@playwright/test';
import { test, expect, gql, expectNoUserErrors, unique, type UserErrors } from '../fixtures';
import { md5 } from '../fixtures/purses';
import { simulateSms, voucherPhone } from '../fixtures/vouchers';

/** The seeded voucher project (server/src/modules/voucher/voucher.seed.ts): a PIN for 5.00 USD, priced by SMS price. */
const DEMO_SHOP = { slug: 'demo-game-card', name: 'Game card, 500 coins', price: '5.00' };

/** What each language must show, written out here (not read from the SPA's resources) so a lost translation fails. */
const WORDS = {
  en: {
    open: 'Open',
    waiting: 'Waiting for your SMS.',
    paymentTo: 'Payment to Demo Shop',
    amount: '2.00 USD',
    soldBy: 'Sold by Demo Shop',
    pin: 'You get a PIN code on this page as soon as your payment has arrived.',
    lookup: 'Already paying, or paid before?',
    noCard: 'Codes are not sold by card here right now.',
    expired: 'This code has run out',
    switcher: 'English',
  },
  ru: {
    open: 'Открыт',
    waiting: 'Ожидаем вашу SMS.',
    paymentTo: 'Оплата для Demo Shop',
    amount: '2,00 USD',
    soldBy: 'Продавец: Demo Shop',
    pin: 'Вы получите PIN-код на этой странице, как только придёт оплата.',
    lookup: 'Уже платите или платили раньше?',
    noCard: 'Сейчас коды здесь не продаются за карту.',
    expired: 'Срок кода закончился',
    switcher: 'Русский',
  },
  bg: {
    open: 'Отворено',
    waiting: 'Очакваме вашия SMS.',
    paymentTo: 'Плащане към Demo Shop',
    amount: '2,00 USD',
    soldBy: 'Продава Demo Shop',
    pin: 'Получавате ПИН код на тази страница веднага щом плащането пристигне.',
    lookup: 'Вече плащате или сте плащали?',
    noCard: 'В момента тук кодове не се продават с карта.',
    expired: 'Този код е изтекъл',
    switcher: 'Български',
  },
  ja: {
    open: '受付中',
    waiting: 'SMSをお待ちしています。',
    paymentTo: 'Demo Shop への支払い',
    amount: '2.00 USD',
    soldBy: '販売者: Demo Shop',
    pin: '支払いが届くとすぐに、このページでPINコードを受け取れます。',
    lookup: '支払い中、または以前に支払いましたか？',
    noCard: 'ここでは現在、カードでコードを販売していません。',
    expired: 'このコードは期限切れです',
    switcher: '日本語',
  },
  hi: {
    open: 'खुला',
    waiting: 'आपके SMS का इंतज़ार है।',
    paymentTo: 'Demo Shop को भुगतान',
    amount: '2.00 USD',
    soldBy: 'विक्रेता: Demo Shop',
    pin: 'भुगतान पहुँचते ही आपको इसी पेज पर PIN कोड मिलेगा।',
    lookup: 'भुगतान कर रहे हैं, या पहले कर चुके हैं?',
    noCard: 'यहाँ अभी कोड कार्ड से नहीं बिकते।',
    expired: 'इस कोड का समय खत्म हो गया',
    switcher: 'हिन्दी',
  },
} as const;

const LANGUAGES = Object.keys(WORDS) as (keyof typeof WORDS)[];

const CREATE_PURSE = `
  mutation CreatePurse($input: CreatePurseInput!) {
    createPurse(input: $input) { purse { number } secret userErrors { code field message } }
  }
`;

const ACCESS_CODE_SERVICES = `query { accessCodeServices(first: 100) { edges { node { id name } } } }`;

const VOUCHER_SHOP = `
  query Shop($slug: String!) {
    voucherShop(slug: $slug) { countries { code name messages total { amount currency } totalUsd { amount } } }
  }
`;

const VOUCHER_PAYMENT = `
  query Payment($token: String!) {
    voucherPayment(token: $token) { reference country instruction { shortCode text } }
  }
`;

interface Purse {
  number: number;
  secret: string;
}

/** A purse of the demo merchant serving BG, DE and US, made through the API as its owner. */
async function createPurse(request: APIRequestContext, name: string): Promise<Purse> {
  const data = await gql<{ createPurse: UserErrors & { purse: { number: number }; secret: string } }>(
    request,
    CREATE_PURSE,
    {
      input: {
        name,
        language: 'EN',
        countries: ['BG', 'DE', 'US'],
        successUrl: 'https://shop.example.com/success',
        failUrl: 'https://shop.example.com/fail',
        resultUrl: 'https://shop.example.com/result',
      },
    },
  );
  expectNoUserErrors(data.createPurse);
  return { number: data.createPurse.purse.number, secret: data.createPurse.secret };
}

/** The shop's signed form (seed B1) posted as a browser would; answers the payer page's path Tollgate sends it to. */
async function openPursePayment(request: APIRequestContext, purse: Purse, amount: string): Promise<string> {
  const orderId = String(Date.now() % 1_000_000_000);
  const description = 'Crystals ×100';
  const sign = md5([purse.number, orderId, amount, '0', description, purse.secret].join('::'));
  const form = new URLSearchParams([
    ['s_purse', String(purse.number)],
    ['s_order_id', orderId],
    ['s_amount', amount],
    ['s_clear_amount', '0'],
    ['s_description', description],
    ['s_sign', sign],
  ]);
  const response = await request.post('/language/english/bank/', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    data: form.toString(),
    maxRedirects: 0,
  });
  expect(response.status(), await response.text()).toBe(303);
  const location = new URL(response.headers().location!, 'http://localhost');
  expect(location.pathname).toMatch(/^\/bank\/pay\/[A-Za-z0-9_-]+$/);
  return location.pathname;
}

async function demoServiceId(request: APIRequestContext): Promise<string> {
  const data = await gql<{ accessCodeServices: { edges: { node: { id: string; name: string } }[] } }>(
    request,
    ACCESS_CODE_SERVICES,
  );
  const service = data.accessCodeServices.edges.find((edge) => edge.node.name === 'Demo articles')?.node;
  expect(service, 'the seeded access-code service').toBeDefined();
  return service!.id;
}

/** Cents of a USD decimal string, exactly ("5.34" → 534). */
function cents(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

async function expectLanguage(page: Page, language: keyof typeof WORDS) {
  await expect(page.getByRole('button', { name: WORDS[language].switcher })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('main')).toHaveAttribute('lang', language);
}

test('the purse page, the voucher shop and the access-code pages speak each of the five languages chosen by ?lang=', async ({
  ownerPage: page,
}) => {
  const purseName = `Crystal purse ${unique()}`;
  const purse = await createPurse(page.request, purseName);
  const payPath = await openPursePayment(page.request, purse, '2');
  const serviceId = await demoServiceId(page.request);

  for (const language of LANGUAGES) {
    const words = WORDS[language];
    await test.step(language, async () => {
      // The purse page: the purse's name, the amount in the locale's numbers, the status badge and its sentence.
      await page.goto(`${payPath}?lang=${language}`);
      await expectLanguage(page, language);
      await expect(page.getByTestId('purse-name')).toHaveText(purseName);
      await expect(page.getByText(words.paymentTo)).toBeVisible();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(words.amount);
      const status = page.getByTestId('purse-status');
      await expect(status.getByTestId('status-badge')).toHaveText(words.open);
      await expect(status).toContainText(words.waiting);

      // The voucher shop.
      await page.goto(`/p/${DEMO_SHOP.slug}?lang=${language}`);
      await expectLanguage(page, language);
      await expect(page.getByRole('heading', { level: 1, name: DEMO_SHOP.name })).toBeVisible();
      await expect(page.getByText(words.soldBy)).toBeVisible();
      await expect(page.getByText(words.pin)).toBeVisible();
      await expect(page.getByRole('heading', { name: words.lookup })).toBeVisible();

      // The access-code page (the demo service sells by SMS only) and Tollgate's own landing page for an expired code.
      await page.goto(`/codes/${serviceId}?lang=${language}`);
      await expectLanguage(page, language);
      await expect(page.getByRole('status')).toHaveText(words.noCard);
      await page.goto(`/codes/${serviceId}/result/expired?lang=${language}`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(words.expired);
    });
  }

  // The switcher changes the language in place and keeps it in the URL.
  await page.goto(`${payPath}?lang=en`);
  await page.getByRole('button', { name: '日本語' }).click();
  await expect(page).toHaveURL(/\?lang=ja$/);
  await expect(page.getByTestId('purse-status').getByTestId('status-badge')).toHaveText(WORDS.ja.open);
});

test('an amount no country can pay in one SMS says only that (seed B4)', async ({ ownerPage: page }) => {
  const purse = await createPurse(page.request, `Too dear ${unique()}`);
  const payPath = await openPursePayment(page.request, purse, '1000');
  await page.goto(`${payPath}?lang=en`);
  const notice = page.getByTestId('purse-unpayable');
  await expect(notice).toContainText('This amount (1,000.00 USD) cannot be paid with one SMS');
  await expect(notice).toContainText('Please tell the shop');
  // No "waiting for your SMS", no country to choose, no Continue that could never be enabled: only the way back.
  await expect(page.getByTestId('purse-status')).toHaveCount(0);
  await expect(page.getByText('Waiting for your SMS')).toHaveCount(0);
  await expect(page.getByLabel('Country')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Continue' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Back to the shop' })).toBeVisible();
});

test('a voucher paid by SMS that cost more than its price explains the overpayment in the payer’s language', async ({
  page,
}) => {
  // A country whose fewest-SMS instruction costs more than the price: SMS prices come in steps.
  const { voucherShop } = await gql<{
    voucherShop: { countries: { code: string; messages: number; totalUsd: { amount: string } }[] };
  }>(page.request, VOUCHER_SHOP, { slug: DEMO_SHOP.slug });
  const over = voucherShop.countries.find((country) => cents(country.totalUsd.amount) > cents(DEMO_SHOP.price));
  expect(over, 'a country of the demo catalogue whose SMS overshoot 5.00 USD').toBeDefined();

  await page.goto(`/p/${DEMO_SHOP.slug}?lang=ru`);
  await page.getByLabel('Ваша страна').selectOption(over!.code);
  // The payer's own currency first, the voucher's price explained under it.
  await expect(page.getByTestId('shop-local-price')).toContainText('Цена — 5,00 USD');
  await page.getByRole('button', { name: 'Оплатить по SMS' }).click();
  await expect(page).toHaveURL(/\/p\/demo-game-card\/pay\/[^?]+\?lang=ru$/);
  await expect(page.getByTestId('purchase-price')).toContainText('Цена — 5,00 USD');

  const token = new URL(page.url()).pathname.split('/').pop()!;
  const { voucherPayment } = await gql<{
    voucherPayment: { reference: string; country: string; instruction: { shortCode: string; text: string }[] };
  }>(page.request, VOUCHER_PAYMENT, { token });
  const phone = voucherPhone();
  for (const line of voucherPayment.instruction)
    await simulateSms(page.request, { from: phone, to: line.shortCode, text: line.text, country: over!.code });

  await expect(page.getByTestId('voucher-code')).toBeVisible();
  await expect(page.getByRole('status').first().getByTestId('status-badge')).toHaveText('Оплачен');
  const overpaid = page.getByTestId('overpaid');
  await expect(overpaid).toContainText(/Получено \d+,\d{2} USD из 5,00 USD\./);
  await expect(overpaid).toContainText('Эта разница достаётся продавцу.');
});

test.describe('without ?lang=', () => {
  test.use({ locale: 'bg-BG' });

  test('the browser’s language chooses the page’s (Bulgarian)', async ({ page }) => {
    await page.goto(`/p/${DEMO_SHOP.slug}`);
    await expectLanguage(page, 'bg');
    await expect(page.getByText(WORDS.bg.soldBy)).toBeVisible();
    await expect(page.getByText(WORDS.bg.pin)).toBeVisible();
    // The URL still wins over the browser.
    await page.goto(`/p/${DEMO_SHOP.slug}?lang=en`);
    await expect(page.getByText(WORDS.en.soldBy)).toBeVisible();
  });
});
