import { Badge, type Tone } from '../../app/components/Badge';

interface Shown {
  label: string;
  tone: Tone;
  /** What it means, as the schema says; shown as the badge's title. */
  hint: string;
}

const RECONCILIATION_FLAGS: Record<string, Shown> = {
  MISSING: { label: 'Missing', tone: 'warn', hint: 'In the batch, but no bank line mentions it.' },
  AMOUNT_DIFFERS: { label: 'Amount differs', tone: 'bad', hint: 'A bank line states another amount than was sent.' },
  CURRENCY_DIFFERS: { label: 'Currency differs', tone: 'bad', hint: 'A bank line states another currency.' },
  PAID_TWICE: { label: 'Paid twice', tone: 'bad', hint: 'Two different bank lines say it was paid.' },
  LEDGER_DIFFERS: {
    label: 'Ledger differs',
    tone: 'bad',
    hint: "The ledger's hold is not where the withdrawal's state says it should be.",
  },
  PAID_BY_OVERRIDE: {
    label: 'Paid by override',
    tone: 'warn',
    hint: "Marked paid by an admin's override, without a bank line (audited).",
  },
  EXTRA: { label: 'Extra', tone: 'bad', hint: 'A bank line about no withdrawal of any batch.' },
};

/** A payout reconciliation flag as a badge; its meaning in the title. */
export function ReconciliationFlagBadge({ flag }: { flag: string }) {
  const shown = RECONCILIATION_FLAGS[flag] ?? { label: flag, tone: 'bad' as const, hint: '' };
  return (
    <span title={shown.hint || undefined}>
      <Badge tone={shown.tone}>{shown.label}</Badge>
    </span>
  );
}

const LEDGER_HOLD: Record<string, Shown> = {
  NONE: { label: 'No hold', tone: 'neutral', hint: 'No hold (never confirmed).' },
  HELD: { label: 'Held', tone: 'info', hint: 'Held, neither posted nor released.' },
  POSTED: { label: 'Posted', tone: 'good', hint: 'The hold was posted and the payout booked out.' },
  RELEASED: { label: 'Released', tone: 'neutral', hint: 'The hold was voided: the money is available again.' },
  RETURNED: { label: 'Returned', tone: 'warn', hint: 'Posted, then booked back to the merchant.' },
};

/** Where a withdrawal's money stands in the ledger. */
export function LedgerHoldBadge({ state }: { state: string }) {
  const shown = LEDGER_HOLD[state] ?? { label: state, tone: 'neutral' as const, hint: '' };
  return (
    <span title={shown.hint || undefined}>
      <Badge tone={shown.tone}>{shown.label}</Badge>
    </span>
  );
}

const STATUS_LINE_TONES: Record<string, Tone> = {
  PAID: 'good',
  REJECTED: 'warn',
  RETURNED: 'warn',
  ALREADY_DONE: 'neutral',
};

/** True when a bank line's outcome matched its withdrawal (mismatches and refusals change nothing). */
export function statusLineMatched(outcome: string): boolean {
  return STATUS_LINE_TONES[outcome] !== undefined;
}

/** What one bank line (status CSV or camt.053) did: PAID, REJECTED, … or a mismatch. */
export function StatusLineOutcomeBadge({ outcome }: { outcome: string }) {
  return <Badge tone={STATUS_LINE_TONES[outcome] ?? 'bad'}>{readable(outcome)}</Badge>;
}

const SETTLEMENT_OUTCOMES: Record<string, Tone> = {
  BILLED: 'good',
  ALREADY_REVERSED: 'neutral',
  UNBILLED_REVERSED: 'warn',
  UNBILLED_NOT_CREDITED: 'neutral',
  UNBILLED_PAYMENT_OPEN: 'info',
  UNBILLED_IN_SUSPENSE: 'warn',
  AMOUNT_DIFFERS: 'bad',
  BILLED_NOT_CREDITED: 'bad',
  UNKNOWN_MESSAGE: 'bad',
  DUPLICATE: 'neutral',
  INVALID_LINE: 'bad',
};

/** What one line of an operator's settlement report found. */
export function SettlementOutcomeBadge({ outcome }: { outcome: string }) {
  return <Badge tone={SETTLEMENT_OUTCOMES[outcome] ?? 'neutral'}>{readable(outcome)}</Badge>;
}

/** "AMOUNT_DIFFERS" → "amount differs". */
export function readable(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** The month now (UTC), YYYY-MM. */
export function currentMonth(): string {
  return new Date().toISOString().slice(0, 7);
}
