import { PurseLanguage } from './purse.entity';
import { MAX_DESCRIPTION_CHARS, MAX_EXTRA_CHARS, type FormProblem } from './purse.protocol';

/*
 * The few pages the protocol's routes serve themselves (everything the payer does in between is the SPA's page):
 * the error page of a refused form, the auto-submitting return form, and a note for whoever opens /bank/ directly.
 * Russian and English (seed B7).
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const L = {
  RU: {
    lang: 'ru',
    errorTitle: 'Платёж не создан',
    errorLead: 'Форма магазина не принята, платёж не создан. Сообщите магазину:',
    back: 'Вернуться в магазин',
    notForm: 'форма должна отправляться методом POST как application/x-www-form-urlencoded в UTF-8.',
    missing: (field: string) => `в форме нет обязательного поля ${field}.`,
    duplicate: (field: string) => `поле ${field} передано несколько раз.`,
    notUtf8: (field: string) => `поле ${field} не в кодировке UTF-8 (добавьте форме accept-charset="UTF-8").`,
    nulByte: (field: string) => `поле ${field} содержит нулевой байт (%00); уберите его.`,
    unknownLanguage: (language: string) =>
      `язык «${language}» не поддерживается; используйте /language/russian/bank/ или /language/english/bank/.`,
    reserved: (field: string) =>
      `дополнительное поле ${field} начинается с «s_»: такие имена занимает протокол, выберите другое.`,
    unknownPurse: 'кошелёк s_purse не найден. Проверьте номер кошелька в настройках магазина.',
    badSignature:
      'подпись s_sign неверна. Она считается как MD5 от s_purse::s_order_id::s_amount::s_clear_amount::' +
      's_description::секретный код — по значениям ровно в том виде, в каком они отправлены.',
    badOrderId: 's_order_id должен быть целым числом от 0 до 2147483647; другой номер заказа передайте в доп. поле.',
    badAmount:
      's_amount должен быть положительной суммой в долларах США, не больше двух знаков после точки (2 или 2.50).',
    badClearAmount: 's_clear_amount должен быть 0 (сумма — цена для плательщика) или 1 (сумма — доход магазина).',
    descriptionTooLong: (length: number) =>
      `описание s_description длиннее ${MAX_DESCRIPTION_CHARS} символов (${length}).`,
    extrasTooLong: (length: number) =>
      `дополнительные поля вместе (имя=значение) длиннее ${MAX_EXTRA_CHARS} символов (${length}).`,
    tooMany: (seconds: number) =>
      `слишком много платежей подряд с вашего адреса или для этого магазина. Попробуйте через ${seconds} с.`,
    redirectTitle: 'Возврат в магазин',
    redirectLead: 'Возвращаем вас в магазин…',
    continue: 'Продолжить',
    notReadyTitle: 'Платёж ещё не завершён',
    notReady: {
      UNPAID: 'Платёж ещё не оплачен. Вернитесь на страницу оплаты и отправьте SMS.',
      OPEN: 'Платёж ещё открыт. Вернитесь на страницу оплаты, чтобы оплатить или отменить его.',
      PAID: 'Платёж уже оплачен. Вернитесь на страницу оплаты и подтвердите его.',
    },
    toPayment: 'К странице оплаты',
    notFoundTitle: 'Платёж не найден',
    notFound: 'Ссылка на платёж неверна. Начните оплату в магазине заново.',
    infoTitle: 'sms:bank',
    info:
      'Этот адрес — не страница для посетителей: укажите его в атрибуте action формы оплаты на своём сайте ' +
      '(method="post", accept-charset="UTF-8").',
  },
  EN: {
    lang: 'en',
    errorTitle: 'No payment was created',
    errorLead: 'The shop’s form was refused and no payment was created. Please tell the shop:',
    back: 'Back to the shop',
    notForm: 'the form must be POSTed as application/x-www-form-urlencoded, in UTF-8.',
    missing: (field: string) => `the form lacks the required field ${field}.`,
    duplicate: (field: string) => `the field ${field} was sent more than once.`,
    notUtf8: (field: string) => `the field ${field} is not UTF-8 (add accept-charset="UTF-8" to the form).`,
    nulByte: (field: string) => `the field ${field} contains a NUL byte (%00); remove it.`,
    unknownLanguage: (language: string) =>
      `the language "${language}" is not supported; use /language/russian/bank/ or /language/english/bank/.`,
    reserved: (field: string) =>
      `the extra field ${field} starts with "s_": the protocol uses such names; choose another.`,
    unknownPurse: 'there is no purse with this s_purse. Check the purse number in the shop’s settings.',
    badSignature:
      'the signature s_sign is wrong. It is the MD5 of s_purse::s_order_id::s_amount::s_clear_amount::' +
      's_description::secret code, over the values exactly as they are sent.',
    badOrderId: 's_order_id must be a whole number from 0 to 2147483647; send other order numbers in an extra field.',
    badAmount: 's_amount must be a positive amount of US dollars with at most two decimals (2 or 2.50).',
    badClearAmount: 's_clear_amount must be 0 (the amount is the payer’s price) or 1 (the amount is the shop’s net).',
    descriptionTooLong: (length: number) =>
      `the description s_description is longer than ${MAX_DESCRIPTION_CHARS} characters (${length}).`,
    extrasTooLong: (length: number) =>
      `the extra fields together (name=value) are longer than ${MAX_EXTRA_CHARS} characters (${length}).`,
    tooMany: (seconds: number) =>
      `too many payments in a row from your address or for this shop. Try again in ${seconds} seconds.`,
    redirectTitle: 'Back to the shop',
    redirectLead: 'Taking you back to the shop…',
    continue: 'Continue',
    notReadyTitle: 'The payment is not finished',
    notReady: {
      UNPAID: 'The payment is not paid yet. Go back to the payment page and send the SMS.',
      OPEN: 'The payment is still open. Go back to the payment page to pay or cancel it.',
      PAID: 'The payment is paid. Go back to the payment page and confirm it.',
    },
    toPayment: 'To the payment page',
    notFoundTitle: 'Payment not found',
    notFound: 'This payment link is not valid. Start the payment at the shop again.',
    infoTitle: 'sms:bank',
    info:
      'This address is not a page for visitors: put it in the action attribute of the payment form on your site ' +
      '(method="post", accept-charset="UTF-8").',
  },
} as const;

export function problemText(problem: FormProblem, language: PurseLanguage): string {
  const t = L[language];
  switch (problem.kind) {
    case 'NOT_FORM':
      return t.notForm;
    case 'MISSING':
      return t.missing(problem.field);
    case 'DUPLICATE':
      return t.duplicate(problem.field);
    case 'NOT_UTF8':
      return t.notUtf8(problem.field);
    case 'NUL_BYTE':
      return t.nulByte(problem.field);
    case 'UNKNOWN_LANGUAGE':
      return t.unknownLanguage(problem.language);
    case 'RESERVED':
      return t.reserved(problem.field);
    case 'UNKNOWN_PURSE':
      return t.unknownPurse;
    case 'BAD_SIGNATURE':
      return t.badSignature;
    case 'BAD_ORDER_ID':
      return t.badOrderId;
    case 'BAD_AMOUNT':
      return t.badAmount;
    case 'BAD_CLEAR_AMOUNT':
      return t.badClearAmount;
    case 'DESCRIPTION_TOO_LONG':
      return t.descriptionTooLong(problem.length);
    case 'EXTRAS_TOO_LONG':
      return t.extrasTooLong(problem.length);
    case 'TOO_MANY':
      return t.tooMany(problem.retryAfterSeconds);
  }
}

function page(language: PurseLanguage, title: string, body: string, head = ''): string {
  return (
    `<!doctype html><html lang="${L[language].lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>` +
    `<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2933}` +
    `.problem{background:#fdecea;border-radius:.4rem;padding:.75rem 1rem;overflow-wrap:anywhere}button,a.button{font:inherit;` +
    `padding:.5rem 1rem}</style>${head}</head><body>${body}</body></html>`
  );
}

/** The error page of a refused form: what is wrong, in words the shop can act on. */
export function errorPage(language: PurseLanguage, problem: FormProblem, backUrl: string | null): string {
  const t = L[language];
  return page(
    language,
    t.errorTitle,
    `<h1>${escapeHtml(t.errorTitle)}</h1><p>${escapeHtml(t.errorLead)}</p>` +
      `<p class="problem" role="alert" data-problem="${problem.kind}">${escapeHtml(problemText(problem, language))}</p>` +
      (backUrl ? `<p><a href="${escapeHtml(backUrl)}">${escapeHtml(t.back)}</a></p>` : ''),
  );
}

/**
 * The payer's way back to the shop (B5): a POST form (form-urlencoded, UTF-8) that submits itself. The script runs
 * under a nonce so a strict Content-Security-Policy can stand; without scripts the button does the same.
 */
export function returnPage(language: PurseLanguage, action: string, fields: [string, string][], nonce: string): string {
  const t = L[language];
  const inputs = fields
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return page(
    language,
    t.redirectTitle,
    `<form id="return" method="post" action="${escapeHtml(action)}" accept-charset="UTF-8" ` +
      `enctype="application/x-www-form-urlencoded"><p>${escapeHtml(t.redirectLead)}</p>${inputs}` +
      `<button type="submit">${escapeHtml(t.continue)}</button></form>` +
      `<script nonce="${nonce}">document.getElementById('return').submit();</script>`,
  );
}

/** A return asked for in a state that does not allow it: UNPAID (success before paying), OPEN, PAID (fail). */
export function notReadyPage(language: PurseLanguage, why: 'UNPAID' | 'OPEN' | 'PAID', paymentPage: string): string {
  const t = L[language];
  return page(
    language,
    t.notReadyTitle,
    `<h1>${escapeHtml(t.notReadyTitle)}</h1><p role="alert">${escapeHtml(t.notReady[why])}</p>` +
      `<p><a href="${escapeHtml(paymentPage)}">${escapeHtml(t.toPayment)}</a></p>`,
  );
}

export function notFoundPage(language: PurseLanguage): string {
  const t = L[language];
  return page(language, t.notFoundTitle, `<h1>${escapeHtml(t.notFoundTitle)}</h1><p>${escapeHtml(t.notFound)}</p>`);
}

/** For whoever opens /bank/ in a browser (the seed's FAQ: the address goes in the form's action). */
export function infoPage(language: PurseLanguage): string {
  const t = L[language];
  return page(language, t.infoTitle, `<h1>${escapeHtml(t.infoTitle)}</h1><p>${escapeHtml(t.info)}</p>`);
}
