import { Badge, type Tone } from '../../app/components/Badge';
import type { AccessCodeAlphabet, AccessCodeCheckResult, AccessCodeKind, AccessCodeStatus } from '../../gql/graphql';

export const KINDS: { value: AccessCodeKind; label: string; period: boolean; uses: boolean }[] = [
  { value: 'PERIOD_FROM_ISSUE', label: 'A period from issue', period: true, uses: false },
  { value: 'PERIOD_FROM_FIRST_USE', label: 'A period from first use', period: true, uses: false },
  { value: 'USES', label: 'A number of uses', period: false, uses: true },
  { value: 'USES_AND_PERIOD', label: 'Uses within a period from issue', period: true, uses: true },
];

export const ALPHABETS: { value: AccessCodeAlphabet; label: string }[] = [
  { value: 'LETTERS_AND_DIGITS', label: 'Letters and digits' },
  { value: 'DIGITS', label: 'Digits' },
  { value: 'LETTERS', label: 'Letters' },
];

export const CODE_STATUSES: { value: AccessCodeStatus; label: string; tone: Tone }[] = [
  { value: 'ACTIVE', label: 'Active', tone: 'good' },
  { value: 'EXPIRED', label: 'Expired', tone: 'neutral' },
  { value: 'USED_UP', label: 'Used up', tone: 'neutral' },
  { value: 'REVOKED', label: 'Revoked', tone: 'bad' },
];

export const CHECK_RESULTS: { value: AccessCodeCheckResult; label: string; tone: Tone }[] = [
  { value: 'PAID', label: 'Paid', tone: 'good' },
  { value: 'EXPIRED', label: 'Expired', tone: 'warn' },
  { value: 'USED_UP', label: 'Used up', tone: 'warn' },
  { value: 'INVALID', label: 'Invalid', tone: 'bad' },
  { value: 'REVOKED', label: 'Revoked', tone: 'bad' },
  { value: 'THROTTLED', label: 'Throttled', tone: 'bad' },
  { value: 'FORBIDDEN', label: 'Forbidden address', tone: 'bad' },
];

export function kindLabel(kind: AccessCodeKind): string {
  return KINDS.find((entry) => entry.value === kind)?.label ?? kind;
}

export function CodeStatusBadge({ status }: { status: AccessCodeStatus }) {
  const entry = CODE_STATUSES.find((value) => value.value === status);
  return <Badge tone={entry?.tone ?? 'neutral'}>{entry?.label ?? status}</Badge>;
}

export function CheckResultBadge({ result }: { result: AccessCodeCheckResult }) {
  const entry = CHECK_RESULTS.find((value) => value.value === result);
  return <Badge tone={entry?.tone ?? 'neutral'}>{entry?.label ?? result}</Badge>;
}

/** "3600" → "1 hour": the largest unit that divides the period, as the server words {expires}. */
export function formatSeconds(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const [size, name] = units.find(([unit]) => seconds % unit === 0) ?? [1, 'second'];
  const count = seconds / size;
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}

/** A list typed with commas, spaces or line breaks. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}
