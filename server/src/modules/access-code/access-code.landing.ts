/*
 * Tollgate's own landing pages for a check's outcome (the SPA's /codes/<service>/result/<outcome>): where a payer goes
 * when the merchant left the paid, expired or invalid URL empty. They speak the payer's language; so do the few
 * pages the check route answers itself (unknown service, throttled, forbidden, bad request).
 */

export const LANDING_OUTCOMES = ['paid', 'expired', 'invalid'] as const;
export type LandingOutcome = (typeof LANDING_OUTCOMES)[number];

/** The payer languages (the seeds' five, as the SPA's payer pages). */
export const CHECK_LANGUAGES = ['en', 'ru', 'bg', 'ja', 'hi'] as const;
export type CheckLanguage = (typeof CHECK_LANGUAGES)[number];

const NAMES: Record<string, CheckLanguage> = {
  english: 'en',
  russian: 'ru',
  bulgarian: 'bg',
  japanese: 'ja',
  hindi: 'hi',
};

/** One of the five from a `?lang=` value or a locale ("ru-RU", "russian"); null when none matches. */
export function checkLanguageOf(value: unknown): CheckLanguage | null {
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase().slice(0, 40);
  if (!text) return null;
  if (NAMES[text]) return NAMES[text];
  const primary = text.split(/[-_;]/)[0];
  return (CHECK_LANGUAGES as readonly string[]).includes(primary) ? (primary as CheckLanguage) : null;
}

/** `?lang=` first, else the first of the Accept-Language header's languages we speak (in the order sent), else en. */
export function chooseCheckLanguage(urlValue: unknown, acceptLanguage: string | undefined): CheckLanguage {
  const fromUrl = checkLanguageOf(urlValue);
  if (fromUrl) return fromUrl;
  const ranked = (acceptLanguage ?? '')
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((param) => param.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const found = checkLanguageOf(entry.tag);
    if (found) return found;
  }
  return 'en';
}

/**
 * Tollgate's landing page for an outcome. The payer's `?lang=` (when the merchant's link carried one) goes along;
 * without it the page follows the browser's languages itself.
 */
export function landingUrl(
  publicUrl: string,
  serviceId: string,
  outcome: LandingOutcome,
  language?: CheckLanguage | null,
): string {
  const url = new URL(`/codes/${encodeURIComponent(serviceId)}/result/${outcome}`, publicUrl);
  if (language) url.searchParams.set('lang', language);
  return url.toString();
}

/** Where each outcome sends the payer: the merchant's URL, or Tollgate's landing page when it is empty. */
export function redirectTargets(
  service: { id: string; paidUrl: string; expiredUrl: string; invalidUrl: string },
  publicUrl: string,
  language?: CheckLanguage | null,
): Record<LandingOutcome, string> {
  return {
    paid: service.paidUrl || landingUrl(publicUrl, service.id, 'paid', language),
    expired: service.expiredUrl || landingUrl(publicUrl, service.id, 'expired', language),
    invalid: service.invalidUrl || landingUrl(publicUrl, service.id, 'invalid', language),
  };
}

interface CheckPageWords {
  badRequestTitle: string;
  badRequest: (field: string) => string;
  notFoundTitle: string;
  notFound: string;
  throttledTitle: string;
  throttled: (minutes: number) => string;
  forbiddenTitle: string;
  forbidden: string;
}

/** The check route's own pages, in the payer's language. */
export const CHECK_PAGES: Record<CheckLanguage, CheckPageWords> = {
  en: {
    badRequestTitle: 'Bad request',
    badRequest: (field) => `The ${field} must not contain a NUL byte.`,
    notFoundTitle: 'Not found',
    notFound: 'There is no access-code service at this address.',
    throttledTitle: 'Too many attempts',
    throttled: (minutes) =>
      `Too many wrong codes came from your address. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
    forbiddenTitle: 'Forbidden',
    forbidden: 'This address may not check codes.',
  },
  ru: {
    badRequestTitle: 'Неверный запрос',
    badRequest: (field) => `Поле ${field} не должно содержать нулевой байт.`,
    notFoundTitle: 'Не найдено',
    notFound: 'По этому адресу нет сервиса кодов доступа.',
    throttledTitle: 'Слишком много попыток',
    throttled: (minutes) =>
      `С вашего адреса пришло слишком много неверных кодов. Попробуйте снова через ${minutes} ${ruMinutes(minutes)}.`,
    forbiddenTitle: 'Доступ запрещён',
    forbidden: 'С этого адреса нельзя проверять коды.',
  },
  bg: {
    badRequestTitle: 'Невалидна заявка',
    badRequest: (field) => `Полето ${field} не бива да съдържа нулев байт.`,
    notFoundTitle: 'Не е намерено',
    notFound: 'На този адрес няма услуга с кодове за достъп.',
    throttledTitle: 'Твърде много опити',
    throttled: (minutes) =>
      `От вашия адрес дойдоха твърде много грешни кодове. Опитайте отново след ${minutes} ${minutes === 1 ? 'минута' : 'минути'}.`,
    forbiddenTitle: 'Забранено',
    forbidden: 'От този адрес не може да се проверяват кодове.',
  },
  ja: {
    badRequestTitle: '不正なリクエスト',
    badRequest: (field) => `${field} にNULバイトを含めることはできません。`,
    notFoundTitle: 'ページが見つかりません',
    notFound: 'このアドレスにはアクセスコードのサービスがありません。',
    throttledTitle: '試行回数が多すぎます',
    throttled: (minutes) =>
      `お使いのアドレスから誤ったコードが何度も送られました。${minutes}分後にもう一度お試しください。`,
    forbiddenTitle: 'アクセスできません',
    forbidden: 'このアドレスからはコードを確認できません。',
  },
  hi: {
    badRequestTitle: 'अमान्य अनुरोध',
    badRequest: (field) => `${field} में NUL बाइट नहीं होनी चाहिए।`,
    notFoundTitle: 'नहीं मिला',
    notFound: 'इस पते पर कोई एक्सेस-कोड सेवा नहीं है।',
    throttledTitle: 'बहुत अधिक प्रयास',
    throttled: (minutes) => `आपके पते से बहुत अधिक गलत कोड आए हैं। ${minutes} मिनट बाद फिर से कोशिश करें।`,
    forbiddenTitle: 'अनुमति नहीं है',
    forbidden: 'इस पते से कोड जाँचे नहीं जा सकते।',
  },
};

/** "минуту", "минуты", "минут" by the Russian plural rules. */
function ruMinutes(count: number): string {
  const rule = new Intl.PluralRules('ru').select(count);
  return rule === 'one' ? 'минуту' : rule === 'few' ? 'минуты' : 'минут';
}
