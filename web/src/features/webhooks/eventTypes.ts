/** "payment.succeeded, payment.failed" or one per line → ["payment.succeeded", "payment.failed"]. */
export function parseEventTypes(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((type) => type.trim())
    .filter(Boolean);
}

export const EVENT_TYPES_HINT = 'Comma-separated, like “payment.succeeded, payment.failed”; “*” for every event.';
