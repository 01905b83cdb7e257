import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/core';
import { createTestOrm } from '../../../test/harness';
import { brandOf, luhnValid } from './card.numbers';
import { CardDeclineCode, CardOutcome, type CardProcessor } from './card.processor';
import { TEST_BIN, TEST_CARDS, TEST_CHALLENGE_ANSWER, TestCardScenario, testCard } from './test-cards';
import { TestCardProcessor } from './test-processor';
import { TestProcessorToken } from './test-processor.entity';

/** The adapter contract (card.processor.ts), played by the test processor for every documented test card. */
describe('test card processor: the adapter contract', () => {
  let orm: MikroORM;
  let close: () => Promise<void>;
  let processor: CardProcessor;
  let n = 0;
  const key = () => `test-key-${++n}`;

  beforeAll(async () => {
    ({ orm, close } = await createTestOrm());
    processor = new TestCardProcessor(orm.em.fork());
  });
  afterAll(async () => close?.());

  const tokenise = async (number: string, holderName: string | null = 'Ada Lovelace') => {
    const answer = await processor.tokenise({ number, expMonth: 12, expYear: 2099, cvc: '123', holderName });
    if (!answer.ok) throw new Error(answer.message);
    return answer;
  };
  const sale = async (number: string, extra: Record<string, unknown> = {}) =>
    processor.authorise({
      key: key(),
      processorToken: (await tokenise(number)).processorToken,
      amountMinor: 1000n,
      currency: 'EUR',
      capture: true,
      ...extra,
    });

  it('documents Luhn-valid Visa numbers on one test range, one per scenario', () => {
    expect(TEST_CARDS.map((card) => card.scenario).sort()).toEqual(Object.values(TestCardScenario).sort());
    for (const card of TEST_CARDS) {
      expect(luhnValid(card.number)).toBe(true);
      expect(card.number.startsWith(TEST_BIN)).toBe(true);
      expect(brandOf(card.number)).toBe('VISA');
    }
  });

  it('tokenises: the same card gives the same fingerprint, another card another; the number is not kept', async () => {
    const first = await tokenise(testCard(TestCardScenario.APPROVE));
    const again = await tokenise(testCard(TestCardScenario.APPROVE));
    const other = await tokenise(testCard(TestCardScenario.DECLINE));
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.processorToken).not.toBe(first.processorToken);
    expect(other.fingerprint).not.toBe(first.fingerprint);
    expect(first).toMatchObject({ brand: 'VISA', last4: testCard(TestCardScenario.APPROVE).slice(-4) });
    const stored = await orm.em.fork().findOneOrFail(TestProcessorToken, first.processorToken);
    expect(JSON.stringify(stored)).not.toContain(testCard(TestCardScenario.APPROVE));
    // A fresh instance (a restart, another process) reads the same key from the processor's table.
    const restarted = new TestCardProcessor(orm.em.fork());
    const answer = await restarted.tokenise({
      number: testCard(TestCardScenario.APPROVE),
      expMonth: 1,
      expYear: 2090,
      cvc: '999',
      holderName: null,
    });
    expect(answer.ok && answer.fingerprint).toBe(first.fingerprint);
  });

  it('refuses numbers off the test range', async () => {
    const answer = await processor.tokenise({
      number: '4111111111111111',
      expMonth: 1,
      expYear: 2090,
      cvc: '123',
      holderName: null,
    });
    expect(answer).toMatchObject({ ok: false, declineCode: CardDeclineCode.CARD_NOT_SUPPORTED });
  });

  it('APPROVE: sale, refunds in parts up to the capture, idempotent per key', async () => {
    const token = await tokenise(testCard(TestCardScenario.APPROVE));
    const request = {
      key: key(),
      processorToken: token.processorToken,
      amountMinor: 1000n,
      currency: 'EUR',
      capture: true,
    };
    const answer = await processor.authorise(request);
    expect(answer).toMatchObject({ outcome: CardOutcome.APPROVED, captured: true, fingerprint: token.fingerprint });
    expect(answer.reference).toMatch(/^tpc_/);
    expect(await processor.authorise(request)).toEqual(answer);
    expect(await processor.lookup(request.key)).toEqual(answer);
    const refundKey = key();
    const refund = await processor.refund({ key: refundKey, reference: answer.reference!, amountMinor: 600n });
    expect(refund.outcome).toBe(CardOutcome.APPROVED);
    expect(await processor.refund({ key: refundKey, reference: answer.reference!, amountMinor: 600n })).toEqual(refund);
    const tooMuch = await processor.refund({ key: key(), reference: answer.reference!, amountMinor: 500n });
    expect(tooMuch).toMatchObject({ outcome: CardOutcome.DECLINED, declineCode: CardDeclineCode.INVALID_REQUEST });
    expect(await processor.refund({ key: key(), reference: answer.reference!, amountMinor: 400n })).toMatchObject({
      outcome: CardOutcome.APPROVED,
    });
    expect(await processor.lookup('never-sent')).toBeNull();
  });

  it('APPROVE: authorise, then capture or void', async () => {
    const token = await tokenise(testCard(TestCardScenario.APPROVE));
    const auth = (capture: boolean) =>
      processor.authorise({
        key: key(),
        processorToken: token.processorToken,
        amountMinor: 500n,
        currency: 'USD',
        capture,
      });
    const first = await auth(false);
    expect(first).toMatchObject({ outcome: CardOutcome.APPROVED, captured: false });
    expect(await processor.capture({ key: key(), reference: first.reference!, amountMinor: 500n })).toMatchObject({
      outcome: CardOutcome.APPROVED,
    });
    const second = await auth(false);
    expect(await processor.void({ key: key(), reference: second.reference! })).toMatchObject({
      outcome: CardOutcome.APPROVED,
    });
    expect(await processor.capture({ key: key(), reference: second.reference!, amountMinor: 500n })).toMatchObject({
      outcome: CardOutcome.DECLINED,
      declineCode: CardDeclineCode.INVALID_REQUEST,
    });
  });

  it.each([
    [TestCardScenario.DECLINE, CardDeclineCode.DECLINED],
    [TestCardScenario.INSUFFICIENT_FUNDS, CardDeclineCode.INSUFFICIENT_FUNDS],
    [TestCardScenario.EXPIRED, CardDeclineCode.EXPIRED_CARD],
  ])('%s: declined with %s, a reference and the fingerprint', async (scenario, code) => {
    const answer = await sale(testCard(scenario));
    expect(answer).toMatchObject({ outcome: CardOutcome.DECLINED, declineCode: code });
    expect(answer.reference).toBeTruthy();
    expect(answer.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('CHALLENGE: requires action; the documented answer approves, another fails authentication', async () => {
    const token = await tokenise(testCard(TestCardScenario.CHALLENGE));
    const base = { processorToken: token.processorToken, amountMinor: 700n, currency: 'EUR', capture: true };
    const first = await processor.authorise({ ...base, key: key() });
    expect(first).toMatchObject({ outcome: CardOutcome.REQUIRES_ACTION });
    expect(first.challenge).toContain(TEST_CHALLENGE_ANSWER);
    const passed = await processor.authorise({
      ...base,
      key: key(),
      reference: first.reference,
      challengeAnswer: TEST_CHALLENGE_ANSWER,
    });
    expect(passed).toMatchObject({ outcome: CardOutcome.APPROVED, captured: true, reference: first.reference });
    const second = await processor.authorise({ ...base, key: key() });
    const failed = await processor.authorise({
      ...base,
      key: key(),
      reference: second.reference,
      challengeAnswer: '0000',
    });
    expect(failed).toMatchObject({ outcome: CardOutcome.DECLINED, declineCode: CardDeclineCode.AUTHENTICATION_FAILED });
    // A merchant-initiated charge of the stored card cannot challenge anyone: approved.
    expect(await processor.authorise({ ...base, key: key(), merchantInitiated: true })).toMatchObject({
      outcome: CardOutcome.APPROVED,
    });
  });

  it('NEEDS_SIGNATURE: approved; card-present asks for a signature', async () => {
    const online = await sale(testCard(TestCardScenario.NEEDS_SIGNATURE));
    expect(online).toMatchObject({ outcome: CardOutcome.APPROVED, signatureRequired: false });
    const present = await sale(testCard(TestCardScenario.NEEDS_SIGNATURE), { present: true });
    expect(present).toMatchObject({ outcome: CardOutcome.APPROVED, signatureRequired: true });
  });

  it('NO_HOLDER_NAME: approved online, refused card-present', async () => {
    expect(await sale(testCard(TestCardScenario.NO_HOLDER_NAME))).toMatchObject({ outcome: CardOutcome.APPROVED });
    expect(await sale(testCard(TestCardScenario.NO_HOLDER_NAME), { present: true })).toMatchObject({
      outcome: CardOutcome.DECLINED,
      declineCode: CardDeclineCode.HOLDER_NAME_REQUIRED,
    });
  });

  it('TIMEOUT: UNKNOWN the first time; lookup and a retry with the key say it was approved', async () => {
    const token = await tokenise(testCard(TestCardScenario.TIMEOUT));
    const request = {
      key: key(),
      processorToken: token.processorToken,
      amountMinor: 900n,
      currency: 'EUR',
      capture: true,
    };
    const first = await processor.authorise(request);
    expect(first).toEqual({ outcome: CardOutcome.UNKNOWN, reference: null, declineCode: null, fingerprint: null });
    const known = await processor.lookup(request.key);
    expect(known).toMatchObject({ outcome: CardOutcome.APPROVED, captured: true });
    expect(await processor.authorise(request)).toEqual(known);
    const refundKey = key();
    const refund = await processor.refund({ key: refundKey, reference: known!.reference!, amountMinor: 900n });
    expect(refund.outcome).toBe(CardOutcome.UNKNOWN);
    expect(await processor.lookup(refundKey)).toMatchObject({ outcome: CardOutcome.APPROVED });
  });

  it('REFUND_FAILS: approved, every refund refused', async () => {
    const answer = await sale(testCard(TestCardScenario.REFUND_FAILS));
    expect(answer.outcome).toBe(CardOutcome.APPROVED);
    expect(await processor.refund({ key: key(), reference: answer.reference!, amountMinor: 100n })).toMatchObject({
      outcome: CardOutcome.DECLINED,
      declineCode: CardDeclineCode.REFUND_REFUSED,
    });
  });

  it('CHARGEBACK: approved, then reported by disputes()', async () => {
    const since = new Date(Date.now() - 1000);
    const answer = await sale(testCard(TestCardScenario.CHARGEBACK));
    expect(answer.outcome).toBe(CardOutcome.APPROVED);
    const disputes = await processor.disputes(since);
    expect(disputes).toEqual([
      expect.objectContaining({ chargeReference: answer.reference, amountMinor: 1000n, currency: 'EUR' }),
    ]);
    expect(await processor.disputes(new Date(Date.now() + 60_000))).toEqual([]);
  });

  it('pays out to a card, refused for declining cards', async () => {
    const good = await tokenise(testCard(TestCardScenario.APPROVE));
    const bad = await tokenise(testCard(TestCardScenario.DECLINE));
    expect(
      await processor.payout({ key: key(), processorToken: good.processorToken, amountMinor: 100n, currency: 'EUR' }),
    ).toMatchObject({ outcome: CardOutcome.APPROVED });
    expect(
      await processor.payout({ key: key(), processorToken: bad.processorToken, amountMinor: 100n, currency: 'EUR' }),
    ).toMatchObject({ outcome: CardOutcome.DECLINED, declineCode: CardDeclineCode.DECLINED });
  });

  it('answers concurrent repeats of one key with one decision', async () => {
    const token = await tokenise(testCard(TestCardScenario.APPROVE));
    const request = {
      key: key(),
      processorToken: token.processorToken,
      amountMinor: 100n,
      currency: 'EUR',
      capture: true,
    };
    const answers = await Promise.all(Array.from({ length: 5 }, () => processor.authorise(request)));
    expect(new Set(answers.map((answer) => answer.reference)).size).toBe(1);
  });
});
