import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { OBSERVED_EVENT_KIND, type EventType } from '../../common/events';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { log } from '../../common/log';
import { build } from '../../common/orm';
import { flushAudited, type AuditActor } from '../audit';
import { User, UserRole } from '../auth';
import { sendMail } from '../mail';
import { outboxHandler, type OutboxHandler } from '../outbox';
import { voucherStockOf } from '../voucher';
import { AlertKind, AlertNotice, AlertSetting } from './alert.entity';

/** The same alert about the same subject is sent at most once in this long. */
export const ALERT_REPEAT_MS = 3600_000;
export const DEFAULT_STOCK_THRESHOLD = 10;
const MAX_THRESHOLD = 1_000_000;
/** A single bare address, as mail takes it. */
const ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/;

const KINDS = Object.values(AlertKind);

function defaultSetting(merchantId: string, kind: AlertKind): AlertSetting {
  return build(AlertSetting, {
    merchantId,
    kind,
    threshold: kind === AlertKind.VOUCHER_STOCK_LOW ? DEFAULT_STOCK_THRESHOLD : null,
  });
}

/** Every kind of alert for the merchant, in a fixed order; kinds never set are off with their defaults. */
export async function alertSettings(em: EntityManager, merchantId: string): Promise<AlertSetting[]> {
  const saved = await em.find(AlertSetting, { merchantId });
  return KINDS.map((kind) => saved.find((setting) => setting.kind === kind) ?? defaultSetting(merchantId, kind));
}

/** Saves one alert's setting, audited; bad input is refused naming its field, and changes nothing. */
export async function updateAlertSetting(
  em: EntityManager,
  actor: AuditActor,
  merchantId: string,
  input: { kind: AlertKind; enabled: boolean; threshold?: number | null; recipient?: string | null },
): Promise<AlertSetting> {
  const recipient = input.recipient?.trim() || null;
  if (recipient && (recipient.length > 320 || !ADDRESS.test(recipient))) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      'Enter one email address, like ops@example.com, or leave it empty',
      ['input', 'recipient'],
    );
  }
  let threshold: number | null = null;
  if (input.kind === AlertKind.VOUCHER_STOCK_LOW) {
    threshold = input.threshold ?? DEFAULT_STOCK_THRESHOLD;
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > MAX_THRESHOLD) {
      throw new UserFacingError(UserErrorCode.INVALID, `Enter a whole number of vouchers from 0 to ${MAX_THRESHOLD}`, [
        'input',
        'threshold',
      ]);
    }
  }
  let setting = await em.findOne(AlertSetting, { merchantId, kind: input.kind });
  if (!setting) {
    setting = defaultSetting(merchantId, input.kind);
    em.persist(setting);
  }
  Object.assign(setting, { enabled: input.enabled, threshold, recipient, updatedAt: new Date() });
  await flushAudited(em, actor, {
    action: 'alertSetting.update',
    merchantId,
    targetId: setting.id,
    details: { kind: input.kind, enabled: input.enabled, threshold, recipient },
  });
  return setting;
}

/** An alert to send: about what (the de-duplication subject), and the mail. */
interface Alert {
  kind: AlertKind;
  subject: string;
  mail: { subject: string; text: string };
}

/**
 * Claims the right to send an alert about `subject` now: true at most once per ALERT_REPEAT_MS, across processes
 * (the conditional update, or the unique row of a first alert, decides).
 */
async function claimNotice(em: EntityManager, merchantId: string, alert: Alert, now: Date): Promise<boolean> {
  const key = { merchantId, kind: alert.kind, subject: alert.subject };
  const updated = await em.nativeUpdate(
    AlertNotice,
    { ...key, lastSentAt: { $lt: new Date(now.getTime() - ALERT_REPEAT_MS) } },
    { lastSentAt: now },
  );
  if (updated) return true;
  // The first alert about this subject; a row already there (sent within the hour) wins.
  const first = build(AlertNotice, { ...key, lastSentAt: now });
  const inserted = await (em as SqlEntityManager)
    .createQueryBuilder(AlertNotice)
    .insert({ id: first.id, ...key, lastSentAt: now })
    .onConflict(['merchantId', 'kind', 'subject'])
    .ignore()
    .execute<{ affectedRows: number }>('run');
  return inserted.affectedRows > 0;
}

async function recipientsOf(em: EntityManager, setting: AlertSetting): Promise<string[]> {
  if (setting.recipient) return [setting.recipient];
  const owners = await em.find(User, { merchantId: setting.merchantId, role: UserRole.OWNER }, { orderBy: { id: 1 } });
  return owners.map((owner) => owner.email);
}

const FOOTER = '\n\nYou get this because the alert is on in your dashboard under Alerts; switch it off there.';

/** The alert an observed event raises, given the merchant's setting for its kind; null when it raises none. */
async function alertFor(
  em: EntityManager,
  type: EventType,
  data: Record<string, unknown>,
  settingOf: (kind: AlertKind) => Promise<AlertSetting | null>,
): Promise<{ alert: Alert; setting: AlertSetting } | null> {
  const text = (value: unknown) => String(value);
  switch (type) {
    case 'voucher.sold': {
      const setting = await settingOf(AlertKind.VOUCHER_STOCK_LOW);
      if (!setting) return null;
      const stock = await voucherStockOf(em, text(data.projectId));
      const threshold = setting.threshold ?? DEFAULT_STOCK_THRESHOLD;
      if (!stock || stock.available > threshold) return null;
      return {
        setting,
        alert: {
          kind: setting.kind,
          subject: text(data.projectId),
          mail: {
            subject: `Tollgate: ${stock.available} voucher${stock.available === 1 ? '' : 's'} left in ${stock.name}`,
            text:
              `The voucher project "${stock.name}" has ${stock.available} vouchers left to sell (your alert is set at ` +
              `${threshold}). Upload more under Vouchers before it sells out.`,
          },
        },
      };
    }
    case 'webhook_endpoint.failing': {
      const setting = await settingOf(AlertKind.WEBHOOK_ENDPOINT_FAILING);
      if (!setting) return null;
      return {
        setting,
        alert: {
          kind: setting.kind,
          subject: text(data.endpointId),
          mail: {
            subject: `Tollgate: your webhook endpoint ${text(data.url).slice(0, 120)} is failing`,
            text:
              `Tollgate gave up delivering the event ${text(data.eventId)} (${text(data.eventType)}) to ` +
              `${text(data.url)} after ${text(data.attempts)} attempts. The last failure: ${text(data.error)}\n` +
              'Check the endpoint, then replay the failed deliveries from Webhooks in your dashboard.',
          },
        },
      };
    }
    case 'access_code.guessing': {
      const setting = await settingOf(AlertKind.CODES_GUESSED);
      if (!setting) return null;
      return {
        setting,
        alert: {
          kind: setting.kind,
          subject: text(data.serviceId),
          mail: {
            subject: `Tollgate: someone may be guessing codes of ${text(data.serviceName)}`,
            text:
              `${text(data.invalidChecks)} invalid codes were checked against "${text(data.serviceName)}" within a ` +
              `minute (${text(data.detectedAt)}). The sources are slowed and then refused automatically; payers with ` +
              'good codes are not affected. The check attempts are under Access codes in your dashboard.',
          },
        },
      };
    }
    case 'withdrawal.paid': {
      const setting = await settingOf(AlertKind.WITHDRAWAL_PAID);
      if (!setting) return null;
      return {
        setting,
        alert: {
          kind: setting.kind,
          subject: text(data.id),
          mail: {
            subject: `Tollgate: withdrawal ${text(data.id)} was paid`,
            text:
              `The bank paid your withdrawal ${text(data.id)} of ${text(data.amount)} ${text(data.currency)} ` +
              `(fee ${text(data.fee)} ${text(data.currency)}). It is listed under Payouts in your dashboard.`,
          },
        },
      };
    }
    default:
      return null;
  }
}

interface ObservedEvent {
  eventId: string;
  type: EventType;
  merchantId: string;
  data: Record<string, unknown>;
}

/**
 * Reacts to an observed event (common/events.ts, OBSERVED_EVENTS): when the merchant switched on the alert it
 * raises, and none was sent about the same subject within the hour, queues the mail to its recipients.
 */
const onObservedEvent: OutboxHandler<ObservedEvent> = async ({ type, merchantId, data }, { em }) => {
  const settingOf = async (kind: AlertKind) => {
    const setting = await em.findOne(AlertSetting, { merchantId, kind });
    return setting?.enabled ? setting : null;
  };
  const found = await alertFor(em, type, data, settingOf);
  if (!found) return { detail: 'no alert' };
  const { alert, setting } = found;
  const sent = await em.transactional(async (tx) => {
    if (!(await claimNotice(tx, merchantId, alert, new Date()))) return 0;
    const recipients = await recipientsOf(tx, setting);
    for (const to of recipients) {
      sendMail(tx, { to, merchantId, subject: alert.mail.subject, text: alert.mail.text + FOOTER });
    }
    return recipients.length;
  });
  if (sent) log.info({ merchantId, kind: alert.kind, subject: alert.subject }, 'alert mailed');
  return { detail: sent ? `${alert.kind} mailed to ${sent}` : `${alert.kind} already sent within the hour` };
};

/** The alert module's outbox handler of observed events. */
export const alertOutboxHandler = outboxHandler(OBSERVED_EVENT_KIND, onObservedEvent, { maxAttempts: 5 });
