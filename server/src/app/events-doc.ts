import fs from 'node:fs';
import path from 'node:path';
import { EVENT_CATALOGUE } from '../common/events';

export const EVENTS_DOC = path.resolve(__dirname, '../../../docs/events.md');

/** docs/events.md, from the catalogue in common/events.ts: the docs cannot drift from what is emitted. */
export function eventsDoc(): string {
  const sections = Object.entries(EVENT_CATALOGUE).map(([type, entry]) => {
    const fields = Object.entries(entry.fields as Record<string, string>)
      .map(([name, meaning]) => `| \`${name}\` | ${meaning} |`)
      .join('\n');
    return `## \`${type}\`\n\n${entry.description}\n\n| field | meaning |\n| --- | --- |\n${fields}\n`;
  });
  return `<!-- Generated from server/src/common/events.ts by \`npm run schema\`; do not edit. -->

# Webhook events

A merchant's webhook endpoints (dashboard → Webhooks, or \`createWebhookEndpoint\`) receive the events they subscribe
to (\`*\` for all). Each event is written to the outbox in the same database transaction as the change that causes it,
so it is sent if and only if that change commits, and retried with backoff until the endpoint answers 2xx. Deliveries
can arrive twice or out of order: use \`id\` to drop repeats and the payload's state rather than arrival order.

Every delivery is a \`POST\` of JSON \`{ "id", "type", "createdAt", "data" }\`, signed in the \`X-Tollgate-Signature\`
header as \`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">\` with the endpoint's secret. Amounts are decimal
strings in the named currency; times are ISO 8601.

${sections.join('\n')}`;
}

export function writeEventsDoc(): void {
  fs.writeFileSync(EVENTS_DOC, eventsDoc());
}
