/** The purse payment page's words, in the languages of seed B7 (Russian and English). */
export type PayLanguage = 'ru' | 'en';

export function payLanguage(value: string | null | undefined): PayLanguage | null {
  const code = value?.trim().toLowerCase();
  if (code === 'ru' || code === 'russian') return 'ru';
  if (code === 'en' || code === 'english') return 'en';
  return null;
}

const TEXT = {
  ru: {
    title: 'Оплата по SMS',
    pay: (shop: string) => `Оплата для ${shop}`,
    netAmount: 'Цена SMS зависит от страны — выберите свою.',
    status: {
      OPEN: 'Ожидаем вашу SMS.',
      PARTIALLY_PAID: 'Получена часть суммы. Отправьте SMS ещё раз.',
      PAID: 'Оплачено. Спасибо! Нажмите «Продолжить», чтобы вернуться в магазин.',
      CANCELLED: 'Платёж отменён.',
      EXPIRED: 'Срок платежа истёк.',
      REFUNDED: 'Платёж возвращён.',
    } as Record<string, string>,
    country: 'Страна',
    chooseCountry: 'Выберите страну…',
    noCountry: (amount: string, highest: string | null) =>
      `Эту сумму (${amount} USD) нельзя оплатить одной SMS ни в одной стране этого магазина` +
      (highest ? `: одна SMS здесь оплачивает не больше ${highest} USD.` : '.') +
      ' Сообщите магазину: ему нужно уменьшить сумму или подключить другие страны.',
    send: 'Отправьте SMS',
    text: 'Текст',
    to: 'На номер',
    price: 'Цена',
    varies: 'у разных операторов цена может немного отличаться',
    copy: 'Копировать',
    lines: 'Ваши SMS',
    expected: 'Ожидается',
    received: 'Получено',
    notCounted: 'Не зачтено',
    confirm: 'Продолжить',
    confirmHint: 'Кнопка станет доступна, когда SMS придёт.',
    cancel: 'Отменить платёж',
    back: 'Вернуться в магазин',
    invalid: 'Ссылка на платёж неверна. Начните оплату в магазине заново.',
    live: 'Страница обновляется сама.',
    paused: 'Обновление приостановлено; обновите страницу.',
    reference: 'Номер платежа',
  },
  en: {
    title: 'Pay by SMS',
    pay: (shop: string) => `Payment to ${shop}`,
    netAmount: 'The SMS price depends on your country: choose yours.',
    status: {
      OPEN: 'Waiting for your SMS.',
      PARTIALLY_PAID: 'Part of the amount has arrived. Send the SMS again.',
      PAID: 'Paid. Thank you! Press “Continue” to return to the shop.',
      CANCELLED: 'The payment was cancelled.',
      EXPIRED: 'The payment expired.',
      REFUNDED: 'The payment was refunded.',
    } as Record<string, string>,
    country: 'Country',
    chooseCountry: 'Choose your country…',
    noCountry: (amount: string, highest: string | null) =>
      `This amount (${amount} USD) cannot be paid with one SMS in any of this shop’s countries` +
      (highest ? `: one SMS pays at most ${highest} USD here.` : '.') +
      ' Please tell the shop: it needs to lower the amount or serve other countries.',
    send: 'Send an SMS',
    text: 'Text',
    to: 'To number',
    price: 'Price',
    varies: 'the price may differ slightly between operators',
    copy: 'Copy',
    lines: 'Your SMS',
    expected: 'Expected',
    received: 'Received',
    notCounted: 'Not counted',
    confirm: 'Continue',
    confirmHint: 'The button is enabled once the SMS arrives.',
    cancel: 'Cancel payment',
    back: 'Back to the shop',
    invalid: 'This payment link is not valid. Start the payment at the shop again.',
    live: 'This page updates by itself.',
    paused: 'Live updates paused; reload to refresh.',
    reference: 'Payment reference',
  },
} as const;

export function payText(language: PayLanguage) {
  return TEXT[language];
}

/** A country's name in the page's language (the API gives English names). */
export function countryName(code: string, language: PayLanguage, fallback: string): string {
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(code) ?? fallback;
  } catch {
    return fallback;
  }
}
