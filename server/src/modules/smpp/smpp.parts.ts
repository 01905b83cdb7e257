import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { newId } from '../../common/ids';
import { build } from '../../common/orm';
import { MAX_SMS_TEXT_LENGTH, receiveInboundSms, validateInbound, type InboundSms, type SmsPipelineDeps } from '../sms';
import { PartsPassedAs, SmppPart } from './smpp.entity';
import type { Segment } from './smpp.pdu';

/*
 * Concatenated SMS: each part is stored (and only then acknowledged) in smpp_part; once every part of a message is
 * there, one process claims them and passes the message on to the SMS pipeline as one SMS, its text the parts' in
 * order. Parts still missing siblings after SMPP_PART_TIMEOUT_SECONDS are passed on one by one by the sweep: the
 * operator billed each of them. Nothing lives in memory, so restarts and several processes (binds) change nothing.
 */

export interface PartsOptions {
  /** The pipeline's entry point; tests wrap it. */
  receive?: typeof receiveInboundSms;
  /** Where a group that could not be passed on now is reported (the sweep tries again). */
  log?: (level: 'warn' | 'error', message: string) => void;
}

/**
 * Stores one part of a concatenated SMS; a part delivered again finds its first copy. Resolves once it is stored
 * (the link may acknowledge it then), after passing its message on if it was the last part missing. Throws
 * SmsInputError for a part the pipeline would refuse, and database errors when the part could not be stored.
 */
export async function receivePart(
  deps: SmsPipelineDeps,
  sms: InboundSms,
  segment: Segment,
  options: PartsOptions = {},
): Promise<void> {
  // Refused now, like a whole SMS, rather than when its message is passed on.
  const input = validateInbound(sms);
  const groupKey = hash([input.provider, input.from, input.to, segment.reference, segment.total]);
  const em = deps.orm.em.fork();
  try {
    em.persist(
      build(SmppPart, {
        provider: input.provider,
        partKey: input.messageId,
        groupKey,
        total: segment.total,
        seq: segment.seq,
        fromNumber: input.from,
        senderUnreadable: sms.senderUnreadable === true,
        toNumber: input.to,
        text: input.text,
        country: input.country,
        operator: input.operator,
      }),
    );
    await em.flush();
  } catch (error) {
    // The SMSC delivered this part again (our answer was lost): stored already.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
  try {
    await passIfComplete(deps, input.provider, groupKey, segment.total, options);
  } catch (error) {
    // The part is stored, which is all the SMSC needs to hear; the sweep passes the message on later.
    options.log?.('error', `concatenated SMS not passed on yet (the sweep will retry): ${String(error)}`);
  }
}

async function passIfComplete(
  deps: SmsPipelineDeps,
  provider: string,
  groupKey: string,
  total: number,
  options: PartsOptions,
): Promise<void> {
  const waiting = await deps.orm.em
    .fork()
    .find(SmppPart, { provider, groupKey, claimId: null }, { orderBy: { seq: 'asc', createdAt: 'asc' } });
  const parts = firstOfEachSeq(waiting);
  if (parts.length === total) await claimAndPass(deps, parts, PartsPassedAs.WHOLE, options);
}

/** One part per position: a second, different part claiming the same position waits and goes on by itself. */
function firstOfEachSeq(parts: SmppPart[]): SmppPart[] {
  const seen = new Set<number>();
  return parts.filter((part) => !seen.has(part.seq) && seen.add(part.seq));
}

/**
 * Claims the parts (those nobody claimed yet) and passes them on. If another process claimed some meanwhile (the
 * sweep, splitting a group whose last part was just arriving), the rest can no longer make a whole message: they go
 * on one by one too.
 */
async function claimAndPass(
  deps: SmsPipelineDeps,
  parts: SmppPart[],
  how: PartsPassedAs,
  options: PartsOptions,
): Promise<void> {
  const em = deps.orm.em.fork();
  const claimId = newId('claim');
  const claimed = await em.nativeUpdate(
    SmppPart,
    { id: { $in: parts.map((part) => part.id) }, claimId: null },
    { claimId, passedAs: how, claimedAt: new Date() },
  );
  if (!claimed) return;
  if (claimed < parts.length && how === PartsPassedAs.WHOLE) {
    await em.nativeUpdate(SmppPart, { claimId }, { passedAs: PartsPassedAs.SEPARATE });
  }
  await passClaimed(deps, claimId, options);
}

/**
 * Hands a claimed group to the pipeline. Message ids come from the part ids, so doing it again (after a crash or a
 * failure half-way) finds what was stored the first time and counts nothing twice.
 */
async function passClaimed(deps: SmsPipelineDeps, claimId: string, options: PartsOptions): Promise<void> {
  const receive = options.receive ?? receiveInboundSms;
  const em = deps.orm.em.fork();
  const parts = await em.find(SmppPart, { claimId }, { orderBy: { seq: 'asc', createdAt: 'asc' } });
  const first = parts[0];
  if (!first || parts.every((part) => part.passedAt)) return;
  const messages =
    first.passedAs === PartsPassedAs.WHOLE
      ? [
          smsOf(first, {
            messageId: `smpp-parts:${hash(parts.map((part) => part.id)).slice(0, 40)}`,
            // The pipeline's limit; a payment code is at the start of a text anyway.
            text: parts
              .map((part) => part.text)
              .join('')
              .slice(0, MAX_SMS_TEXT_LENGTH),
          }),
        ]
      : parts.map((part) => smsOf(part, { messageId: `smpp-part:${part.id}`, text: part.text }));
  for (const sms of messages) await receive(deps, sms);
  await em.nativeUpdate(SmppPart, { claimId }, { passedAt: new Date() });
}

function smsOf(part: SmppPart, fields: { messageId: string; text: string }): InboundSms {
  return {
    provider: part.provider,
    from: part.fromNumber,
    senderUnreadable: part.senderUnreadable,
    to: part.toNumber,
    country: part.country,
    operator: part.operator,
    receivedAt: part.createdAt,
    ...fields,
  };
}

const SWEEP_BATCH = 100;

/**
 * One round of the parts sweep: passes on again groups claimed but not passed on a while ago (a crash, a database
 * error), passes on part by part the groups whose parts waited longer than `partTimeoutMs` for the missing ones,
 * and deletes parts passed on longer than `redeliveryWindowMs` ago. True when there may be more to do at once.
 */
export async function sweepSmppParts(
  deps: SmsPipelineDeps,
  settings: { partTimeoutMs: number; redeliveryWindowMs: number; now?: Date },
  options: PartsOptions = {},
): Promise<boolean> {
  const now = settings.now ?? new Date();
  const stale = new Date(now.getTime() - settings.partTimeoutMs);
  const em = deps.orm.em.fork();
  const report = (error: unknown) => options.log?.('error', `concatenated SMS not passed on: ${String(error)}`);

  const unfinished = await em.find(
    SmppPart,
    { claimId: { $ne: null }, passedAt: null, claimedAt: { $lt: stale } },
    { limit: SWEEP_BATCH },
  );
  for (const claimId of new Set(unfinished.map((part) => part.claimId!))) {
    await passClaimed(deps, claimId, options).catch(report);
  }

  const waiting = await em.find(
    SmppPart,
    { claimId: null, createdAt: { $lt: stale } },
    { limit: SWEEP_BATCH, orderBy: { createdAt: 'asc' } },
  );
  const groups = new Map(waiting.map((part) => [`${part.provider} ${part.groupKey}`, part]));
  for (const { provider, groupKey, total } of groups.values()) {
    try {
      const parts = await em
        .fork()
        .find(SmppPart, { provider, groupKey, claimId: null }, { orderBy: { seq: 'asc', createdAt: 'asc' } });
      const whole = firstOfEachSeq(parts);
      // Completed meanwhile (the last part's process could not pass it on): whole after all.
      if (whole.length === total) await claimAndPass(deps, whole, PartsPassedAs.WHOLE, options);
      else await claimAndPass(deps, parts, PartsPassedAs.SEPARATE, options);
    } catch (error) {
      report(error);
    }
  }

  await em.nativeDelete(SmppPart, {
    passedAt: { $lt: new Date(now.getTime() - settings.redeliveryWindowMs) },
  });
  return unfinished.length === SWEEP_BATCH || waiting.length === SWEEP_BATCH;
}

function hash(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
