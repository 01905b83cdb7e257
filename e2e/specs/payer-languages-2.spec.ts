import { type APIRequestContext } from '@playwright/test';
import { test, expect, gql, expectNoUserErrors, unique, type UserErrors } from '../fixtures';
import { futureExpiry, TEST_CARDS } from '../fixtures/cards';

/** What each language must show, written out here (not read from the SPA's resources) so a lost translation fails. */
const WORDS = {
  ru: {
    email: 'Почта',
    continue: 'Перейти к оплате картой',
    form: 'Оплата картой',
    number: 'Номер карты',
    expiry: 'Срок действия (ММ/ГГ)',
    cvc: 'Код безопасности (CVC)',
    name: 'Имя на карте',
    pay: /^Оплатить/,
    amount: '2,50 USD',
    declined: 'Карта отклонена: недостаточно средств. Попробуйте другую карту.',
    numberInvalid: 'Неверный номер карты. Проверьте цифры.',
    title: 'Код доступа · Tollgate',
    paid: 'Код принят',
    expired: 'Срок кода закончился',
    invalid: 'Код неверный',
    buy: 'Купить новый код',
  },
  ja: {
    email: 'メールアドレス',
    continue: 'カード払いへ進む',
    form: 'カードで支払う',
    number: 'カード番号',
    expiry: '有効期限（MM/YY）',
    cvc: 'セキュリティコード（CVC）',
    name: 'カードの名義',
    pay: /^支払う/,
    amount: '2.50 USD',
    declined: 'カードが使えませんでした：残高が足りません。別のカードをお試しください。',
    numberInvalid: 'このカード番号は正しくありません。数字を確かめてください。',
    title: 'アクセスコード · Tollgate',
    paid: 'コードを確認しました',
    expired: 'このコードは期限切れです',
    invalid: 'このコードは無効です',
    buy: '新しいコードを購入する',
  },
} as const;

const CREATE_SERVICE = `mutation($input: CreateAccessCodeServiceInput!) {
  createAccessCodeService(input: $input) {
    accessCodeService { id keyword checkUrl paidUrl paidRedirectUrl expiredRedirectUrl invalidRedirectUrl }
    userErrors { code field message }
  }
}`;
const SIMULATE = `mutation($input: SimulateInboundSmsInput!) {
  simulateInboundSms(input: $input) { sms { status } userErrors { message } }
}`;
const OUTBOX = `query($phone: String!) { simulatorOutbox(phone: $phone) { text } }`;

interface Service {
  id: string;
  keyword: string;
  checkUrl: string;
  paidUrl: string;
  paidRedirectUrl: string;
  expiredRedirectUrl: string;
  invalidRedirectUrl: string;
}

/** A service of the demo merchant with no paid, expired or invalid URL of its own: one use per code. */
async function createService(request: APIRequestContext, extra: Record<string, unknown> = {}): Promise<Service> {
  const keyword = `L${unique()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')}`.slice(0, 20);
  const data = await gql<{ createAccessCodeService: UserErrors & { accessCodeService: Service } }>(
    request,
    CREATE_SERVICE,
    {
      input: {
        name: `Landing ${keyword}`,
        keyword,
        shortCodes: ['1096'],
        replyTemplate: 'Code {code}, {uses} uses',
        kind: 'USES',
        maxUses: 1,
        codeLength: 6,
        alphabet: 'LETTERS_AND_DIGITS',
        ...extra,
      },
    },
  );
  expectNoUserErrors(data.createAccessCodeService);
  return data.createAccessCodeService.accessCodeService;
}

test('the card form on an access-code page speaks Russian and Japanese: labels, checks, a decline, the tab title', async ({
  ownerPage: page,
}) => {
  const service = await createService(page.request, { acceptsCard: true, cardPrice: '2.50', cardCurrency: 'USD' });
  for (const language of ['ru', 'ja'] as const) {
    const words = WORDS[language];
    await test.step(language, async () => {
      await page.goto(`/codes/${service.id}?lang=${language}`);
      await expect(page).toHaveTitle(words.title);
      await page.getByLabel(words.email).fill(`payer-${language}@example.com`);
      await page.getByRole('button', { name: words.continue }).click();
      await expect(page).toHaveURL(new RegExp(`/codes/${service.id}/pay/[^?]+\\?lang=${language}$`));

      const form = page.getByRole('form', { name: words.form });
      await expect(form).toBeVisible();
      await expect(form.getByRole('button', { name: words.pay })).toContainText(words.amount);
      // A mistyped number is refused beside its input, in the page's language, before anything is sent.
      await form.getByLabel(words.number).fill('4242 4242 4242 4241');
      await form.getByLabel(words.expiry).fill(futureExpiry());
      await form.getByLabel(words.cvc).fill('123');
      await form.getByLabel(words.name).fill('E2E Payer');
      await form.getByRole('button', { name: words.pay }).click();
      await expect(form.getByText(words.numberInvalid)).toBeVisible();
      await expect(form.getByLabel(words.number)).toBeFocused();

      // The bank declines: the reason in the payer's words, and the form stays for another card.
      await form.getByLabel(words.number).fill(TEST_CARDS.insufficientFunds);
      await form.getByRole('button', { name: words.pay }).click();
      await expect(page.getByTestId('card-declined')).toHaveText(words.declined);
      await expect(form.getByLabel(words.number)).toBeVisible();
    });
  }
});

test('a service without URLs of its own sends a checked code to Tollgate’s landing pages, in the payer’s language', async ({
  ownerPage: page,
  browser,
}) => {
  const service = await createService(page.request);
  // The API shows where payers go: Tollgate's landing pages, the merchant's URLs being empty.
  expect(service.paidUrl).toBe('');
  expect(service.paidRedirectUrl).toMatch(new RegExp(`/codes/${service.id}/result/paid$`));
  expect(service.expiredRedirectUrl).toMatch(new RegExp(`/codes/${service.id}/result/expired$`));
  expect(service.invalidRedirectUrl).toMatch(new RegExp(`/codes/${service.id}/result/invalid$`));

  const phone = `+35988${String(Date.now()).slice(-7)}`;
  const sent = await gql<{ simulateInboundSms: { sms: { status: string } } }>(page.request, SIMULATE, {
    input: { from: phone, to: '1096', text: service.keyword.toLowerCase(), country: 'BG' },
  });
  expect(sent.simulateInboundSms.sms.status).toBe('COUNTED');
  let reply = '';
  await expect
    .poll(async () => {
      const outbox = await gql<{ simulatorOutbox: { text: string }[] }>(page.request, OUTBOX, { phone });
      reply = outbox.simulatorOutbox.at(-1)?.text ?? '';
      return reply;
    })
    .toMatch(/^Code \S{6}, 1 uses?$/);
  const code = /^Code (\S+),/.exec(reply)![1];

  // The merchant's link carries the payer's language: the paid landing page shows the code in Russian.
  const ru = WORDS.ru;
  await page.goto(`${service.checkUrl}?code=${code}&lang=ru`);
  await expect(page).toHaveURL(new RegExp(`/codes/${service.id}/result/paid\\?`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ru.paid);
  await expect(page.getByTestId('code-result')).toContainText(code);
  await expect(page).toHaveTitle(`${ru.paid} · Tollgate`);
  // Its one use is spent: the next check is the expired page, still in Russian, with a way to buy a new code.
  await page.goto(`${service.checkUrl}?code=${code}&lang=ru`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ru.expired);
  await expect(page.getByRole('link', { name: ru.buy })).toBeVisible();

  // Without ?lang= the browser's language chooses: a Japanese browser lands on the Japanese pages.
  const context = await browser.newContext({ locale: 'ja-JP' });
  try {
    const japanese = await context.newPage();
    await japanese.goto(`${service.checkUrl}?code=${code}`);
    await expect(japanese).toHaveURL(new RegExp(`/codes/${service.id}/result/expired$`));
    await expect(japanese.getByRole('heading', { level: 1 })).toHaveText(WORDS.ja.expired);
    await expect(japanese.locator('main')).toHaveAttribute('lang', 'ja');
    await japanese.goto(`${service.checkUrl}?code=NOSUCH`);
    await expect(japanese.getByRole('heading', { level: 1 })).toHaveText(WORDS.ja.invalid);
    await expect(japanese.getByRole('link', { name: WORDS.ja.buy })).toBeVisible();
  } finally {
    await context.close();
  }
});
