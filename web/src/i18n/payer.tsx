import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { AnyVariables, CombinedError, OperationContext, UseQueryState } from 'urql';
import { Badge, type Tone } from '../app/components/Badge';
import { CopyButton } from '../app/components/CopyButton';
import { useDocumentTitle } from '../app/useDocumentTitle';
import { choosePayerLanguage, PAYER_LANGUAGES, type PayerLanguage } from './index';
import { formatMoney, formatTime } from './format';
import './payer.css';

/**
 * The payer page's language and its words: `?lang=` (en, ru, bg, ja, hi, or an English name such as "russian")
 * first, else the browser's languages, else English. Choosing another language rewrites `?lang=`, so a reload or a
 * shared link keeps it. The words come from a translator bound to that language: the dashboard's language is not
 * touched.
 */
export function usePayerLanguage() {
  const [search, setSearch] = useSearchParams();
  const language = choosePayerLanguage(
    search.get('lang'),
    typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
  );
  const { t } = useTranslation('translation', { lng: language });
  const setLanguage = (next: PayerLanguage) => {
    const params = new URLSearchParams(search);
    params.set('lang', next);
    setSearch(params, { replace: true });
  };
  return {
    language,
    t,
    setLanguage,
    money: (money: { amount: string; currency: string }) => formatMoney(money, language),
    time: (value: string) => formatTime(value, language),
  };
}

export type PayerWords = ReturnType<typeof usePayerLanguage>;

const PayerContext = createContext<PayerWords | null>(null);

/** The nearest payer page's language (PayerFrame provides it); English outside any payer page. */
export function usePayer(): PayerWords {
  const words = useContext(PayerContext);
  const { t } = useTranslation('translation', { lng: 'en' });
  return (
    words ?? {
      language: 'en',
      t,
      setLanguage: () => undefined,
      money: (money) => formatMoney(money, 'en'),
      time: (value) => formatTime(value, 'en'),
    }
  );
}

/** Buttons naming each language in itself; the current one is pressed. */
export function LanguageSwitcher({
  language,
  onChange,
}: {
  language: PayerLanguage;
  onChange: (next: PayerLanguage) => void;
}) {
  const { t } = useTranslation('translation', { lng: language });
  return (
    <div className="payer-languages" role="group" aria-label={t('common.language')}>
      {PAYER_LANGUAGES.map((option) => (
        <button
          key={option.code}
          type="button"
          className="link-button"
          lang={option.code}
          aria-pressed={language === option.code}
          onClick={() => onChange(option.code)}
        >
          {option.name}
        </button>
      ))}
    </div>
  );
}

/**
 * A payer page's frame: the brand, the language switcher, the page's language on the element (screen readers and
 * fonts follow it) and on the document, and the language's words for everything inside.
 */
export function PayerFrame({
  title,
  documentTitle,
  children,
}: {
  title?: (words: PayerWords) => string;
  /** The tab's title in the page's language (the route's English default until then). */
  documentTitle?: (words: PayerWords) => string;
  children: ReactNode;
}) {
  const words = usePayerLanguage();
  useDocumentTitle(documentTitle?.(words));
  useEffect(() => {
    const previous = document.documentElement.lang;
    document.documentElement.lang = words.language;
    return () => {
      document.documentElement.lang = previous;
    };
  }, [words.language]);
  return (
    <PayerContext.Provider value={words}>
      <main className="auth" lang={words.language}>
        <div className="auth__panel payer">
          <div className="payer-top">
            <div className="brand">
              <span className="brand__mark" aria-hidden="true">
                T
              </span>
              {title ? title(words) : words.t('common.brand')}
            </div>
            <LanguageSwitcher language={words.language} onChange={words.setLanguage} />
          </div>
          {children}
        </div>
      </main>
    </PayerContext.Provider>
  );
}

/** A money value in the page's language. */
export function PayerMoney({ money }: { money: { amount: string; currency: string } }) {
  const { money: format } = usePayer();
  return <span className="money">{format(money)}</span>;
}

/** A point in time in the page's language. */
export function PayerTime({ value, fallback = '—' }: { value: string | null | undefined; fallback?: string }) {
  const { time } = usePayer();
  if (!value) return <span className="muted">{fallback}</span>;
  return (
    <time dateTime={value} title={value}>
      {time(value)}
    </time>
  );
}

const TONES: Record<string, Tone> = {
  OPEN: 'info',
  PARTIALLY_PAID: 'warn',
  PAID: 'good',
  CANCELLED: 'neutral',
  EXPIRED: 'neutral',
  REFUNDED: 'warn',
};

const STATUSES = ['OPEN', 'PARTIALLY_PAID', 'PAID', 'CANCELLED', 'EXPIRED', 'REFUNDED'] as const;
type Status = (typeof STATUSES)[number];
const isStatus = (value: string): value is Status => (STATUSES as readonly string[]).includes(value);

/** A payment's status badge in the page's language. */
export function PayerStatusBadge({ status }: { status: string }) {
  const { t } = usePayer();
  return (
    <span data-testid="status-badge" data-status={status}>
      <Badge tone={TONES[status] ?? 'neutral'}>{isStatus(status) ? t(`status.${status}`) : status}</Badge>
    </span>
  );
}

/** The copy button in the page's language. */
export function PayerCopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = usePayer();
  return (
    <CopyButton
      text={text}
      label={label ?? t('common.copy')}
      copiedLabel={t('common.copied')}
      failedLabel={t('common.copyFailed')}
    />
  );
}

/** A failed load in the page's language: no connection, or the API's message; a retry when one might help. */
export function PayerErrorState({ error, onRetry }: { error: CombinedError; onRetry?: () => void }) {
  const { t } = usePayer();
  const message = error.networkError
    ? t('common.network')
    : error.graphQLErrors.some((each) => each.extensions?.code === 'RATE_LIMITED')
      ? t('card.decline.RATE_LIMITED')
      : t('common.loadFailed');
  return (
    <div className="state state--error" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="button button--small" onClick={onRetry}>
          {t('common.tryAgain')}
        </button>
      )}
    </div>
  );
}

/** QueryView's loading and error states (without children) in the page's language. */
export function PayerQueryView<Data, Variables extends AnyVariables = AnyVariables>({
  query,
  refetch,
}: {
  query: UseQueryState<Data, Variables>;
  refetch?: (opts?: Partial<OperationContext>) => void;
}) {
  const { t } = usePayer();
  if (query.data) return null;
  if (query.error)
    return (
      <PayerErrorState
        error={query.error}
        onRetry={refetch ? () => refetch({ requestPolicy: 'network-only' }) : undefined}
      />
    );
  return (
    <div className="state state--loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {t('common.loading')}
    </div>
  );
}
