import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { bg } from './resources/bg';
import { en, type Messages } from './resources/en';
import { hi } from './resources/hi';
import { ja } from './resources/ja';
import { ru } from './resources/ru';

/** The languages of the payer pages (the seeds' five), each with its own name for the switcher. */
export const PAYER_LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
  { code: 'bg', name: 'Български' },
  { code: 'ja', name: '日本語' },
  { code: 'hi', name: 'हिन्दी' },
] as const;

export type PayerLanguage = (typeof PAYER_LANGUAGES)[number]['code'];

const resources: Record<PayerLanguage, { translation: Messages }> = {
  en: { translation: en },
  ru: { translation: ru },
  bg: { translation: bg },
  ja: { translation: ja },
  hi: { translation: hi },
};

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

// The resources are bundled, so initialisation finishes synchronously: the first render already has its words.
void i18next.use(initReactI18next).init({
  resources,
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: PAYER_LANGUAGES.map((language) => language.code),
  initAsync: false,
  // React escapes what it renders; i18next must not escape a second time.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** Names the URL may use: a code ("ru", "ru-RU") or, as the purse protocol's /language/<name>/bank/, an English name. */
const NAMES: Record<string, PayerLanguage> = {
  english: 'en',
  russian: 'ru',
  bulgarian: 'bg',
  japanese: 'ja',
  hindi: 'hi',
};

/** One of the payer languages from a `?lang=` value or a browser locale ("bg-BG" → bg); null when none matches. */
export function payerLanguageOf(value: string | null | undefined): PayerLanguage | null {
  const text = value?.trim().toLowerCase();
  if (!text) return null;
  if (NAMES[text]) return NAMES[text];
  const primary = text.split(/[-_]/)[0];
  return PAYER_LANGUAGES.find((language) => language.code === primary)?.code ?? null;
}

/** The page's language: the URL's `?lang=` first, else the first of the browser's languages we speak, else English. */
export function choosePayerLanguage(urlValue: string | null, browser: readonly string[]): PayerLanguage {
  const fromUrl = payerLanguageOf(urlValue);
  if (fromUrl) return fromUrl;
  for (const locale of browser) {
    const found = payerLanguageOf(locale);
    if (found) return found;
  }
  return 'en';
}

export { i18next };
