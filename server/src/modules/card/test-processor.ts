import { createHmac, randomBytes } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { newId } from '../../common/ids';
import { build } from '../../common/orm';
import { brandOf } from './card.numbers';
import {
  CardDeclineCode,
  CardOutcome,
  type AuthoriseRequest,
  type CardAnswer,
  type CardDetails,
  type CardProcessor,
  type CardProcessorFactory,
  type ProcessorDispute,
  type TokeniseAnswer,
} from './card.processor';
import { scenarioOf, TEST_BIN, TEST_CHALLENGE_ANSWER, TestCardScenario } from './test-cards';
import {
  TestProcessorCharge,
  TestProcessorDispute,
  TestProcessorKey,
  TestProcessorOperation,
  TestProcessorToken,
} from './test-processor.entity';

/** What a call decided, and whether the TIMEOUT card withholds the answer the first time. */
interface Decision {
  answer: CardAnswer;
  timeout: boolean;
}

const declined = (
  declineCode: CardDeclineCode,
  reference: string | null = null,
  fingerprint: string | null = null,
) => ({
  outcome: CardOutcome.DECLINED,
  reference,
  declineCode,
  fingerprint,
});

function toJson(answer: CardAnswer): Record<string, unknown> {
  return { ...answer };
}

function fromJson(json: Record<string, unknown>): CardAnswer {
  return json as unknown as CardAnswer;
}

/**
 * The test processor inside Tollgate (CARD_PROCESSOR=test): behaves like an outside processor for the test cards of
 * test-cards.ts and refuses every other number. Its state is in its own tables, written in its own transactions (as a
 * processor's database would be), so it survives restarts and is shared by every process. Every call is idempotent
 * by the caller's key: a repeat gets the first answer, or, for a call the TIMEOUT card answered UNKNOWN, what really
 * happened.
 */
export class TestCardProcessor implements CardProcessor {
  readonly name = 'test';
  private secret: string | null = null;

  constructor(private readonly em: EntityManager) {}

  async tokenise(card: CardDetails): Promise<TokeniseAnswer> {
    if (!card.number.startsWith(TEST_BIN)) {
      return {
        ok: false,
        declineCode: CardDeclineCode.CARD_NOT_SUPPORTED,
        message: `this is the test processor: use a test card (numbers starting ${TEST_BIN})`,
      };
    }
    const fingerprint = createHmac('sha256', await this.key())
      .update(card.number)
      .digest('hex');
    const token = build(TestProcessorToken, {
      scenario: scenarioOf(card.number),
      fingerprint,
      hasHolderName: Boolean(card.holderName?.trim()),
    });
    await this.em.fork().persistAndFlush(token);
    return {
      ok: true,
      processorToken: token.id,
      fingerprint,
      brand: brandOf(card.number),
      last4: card.number.slice(-4),
    };
  }

  authorise(request: AuthoriseRequest): Promise<CardAnswer> {
    return this.once(request.key, 'AUTHORISE', async (em) => {
      const token = await em.findOne(TestProcessorToken, request.processorToken);
      if (!token) return { answer: declined(CardDeclineCode.INVALID_REQUEST), timeout: false };
      const timeout = token.scenario === TestCardScenario.TIMEOUT;
      const scenario = token.scenario;
      const fingerprint = token.fingerprint;
      const open = (status: string) => {
        const charge = build(TestProcessorCharge, {
          tokenId: token.id,
          status,
          amountMinor: request.amountMinor,
          currency: request.currency,
          capture: request.capture,
        });
        em.persist(charge);
        return charge;
      };
      const approve = (charge: TestProcessorCharge): Decision => {
        charge.status = request.capture ? 'CAPTURED' : 'AUTHORISED';
        if (request.capture) this.maybeDispute(em, token, charge);
        return {
          answer: {
            outcome: CardOutcome.APPROVED,
            reference: charge.id,
            declineCode: null,
            fingerprint,
            captured: request.capture,
            signatureRequired: Boolean(request.present) && scenario === TestCardScenario.NEEDS_SIGNATURE,
          },
          timeout,
        };
      };

      if (request.reference) {
        // The answer to a challenge: only for the pending authorisation of this very card.
        const charge = await em.findOne(TestProcessorCharge, request.reference, { lockMode: this.lock(em) });
        if (!charge || charge.tokenId !== token.id || charge.status !== 'REQUIRES_ACTION') {
          return { answer: declined(CardDeclineCode.INVALID_REQUEST, request.reference, fingerprint), timeout };
        }
        charge.capture = request.capture;
        if (request.challengeAnswer?.trim() !== TEST_CHALLENGE_ANSWER) {
          charge.status = 'DECLINED';
          return { answer: declined(CardDeclineCode.AUTHENTICATION_FAILED, charge.id, fingerprint), timeout };
        }
        return approve(charge);
      }

      const refuse = (code: CardDeclineCode): Decision => {
        const charge = open('DECLINED');
        return { answer: declined(code, charge.id, fingerprint), timeout };
      };
      switch (scenario) {
        case TestCardScenario.DECLINE:
          return refuse(CardDeclineCode.DECLINED);
        case TestCardScenario.INSUFFICIENT_FUNDS:
          return refuse(CardDeclineCode.INSUFFICIENT_FUNDS);
        case TestCardScenario.EXPIRED:
          return refuse(CardDeclineCode.EXPIRED_CARD);
        case TestCardScenario.NO_HOLDER_NAME:
          if (request.present) return refuse(CardDeclineCode.HOLDER_NAME_REQUIRED);
          break;
        case TestCardScenario.CHALLENGE:
          // A payer not present cannot be challenged: merchant-initiated charges of a stored card are exempt.
          if (!request.merchantInitiated && !request.present) {
            const charge = open('REQUIRES_ACTION');
            return {
              answer: {
                outcome: CardOutcome.REQUIRES_ACTION,
                reference: charge.id,
                declineCode: null,
                fingerprint,
                challenge: `Your bank asks for the code it sent you (test processor: ${TEST_CHALLENGE_ANSWER}).`,
              },
              timeout,
            };
          }
          break;
        default:
          break;
      }
      return approve(open('AUTHORISED'));
    });
  }

  capture(request: { key: string; reference: string; amountMinor: bigint }): Promise<CardAnswer> {
    return this.once(request.key, 'CAPTURE', async (em) => {
      const found = await this.chargeOf(em, request.reference);
      if (!found) return { answer: declined(CardDeclineCode.INVALID_REQUEST, request.reference), timeout: false };
      const { charge, token } = found;
      const timeout = token.scenario === TestCardScenario.TIMEOUT;
      if (charge.status !== 'AUTHORISED' || request.amountMinor <= 0n || request.amountMinor > charge.amountMinor) {
        return { answer: declined(CardDeclineCode.INVALID_REQUEST, charge.id, token.fingerprint), timeout };
      }
      charge.status = 'CAPTURED';
      charge.amountMinor = request.amountMinor;
      this.maybeDispute(em, token, charge);
      return { answer: this.approved(charge.id, token.fingerprint), timeout };
    });
  }

  void(request: { key: string; reference: string }): Promise<CardAnswer> {
    return this.once(request.key, 'VOID', async (em) => {
      const found = await this.chargeOf(em, request.reference);
      if (!found) return { answer: declined(CardDeclineCode.INVALID_REQUEST, request.reference), timeout: false };
      const { charge, token } = found;
      const timeout = token.scenario === TestCardScenario.TIMEOUT;
      if (charge.status !== 'AUTHORISED' && charge.status !== 'REQUIRES_ACTION') {
        return { answer: declined(CardDeclineCode.INVALID_REQUEST, charge.id, token.fingerprint), timeout };
      }
      charge.status = 'VOIDED';
      return { answer: this.approved(charge.id, token.fingerprint), timeout };
    });
  }

  refund(request: { key: string; reference: string; amountMinor: bigint }): Promise<CardAnswer> {
    return this.once(request.key, 'REFUND', async (em) => {
      const found = await this.chargeOf(em, request.reference);
      if (!found) return { answer: declined(CardDeclineCode.INVALID_REQUEST), timeout: false };
      const { charge, token } = found;
      const timeout = token.scenario === TestCardScenario.TIMEOUT;
      if (token.scenario === TestCardScenario.REFUND_FAILS) {
        return { answer: declined(CardDeclineCode.REFUND_REFUSED, null, token.fingerprint), timeout };
      }
      const left = charge.amountMinor - charge.refundedMinor;
      if (charge.status !== 'CAPTURED' || request.amountMinor <= 0n || request.amountMinor > left) {
        return { answer: declined(CardDeclineCode.INVALID_REQUEST, null, token.fingerprint), timeout };
      }
      charge.refundedMinor += request.amountMinor;
      return { answer: this.approved(newId('tpr'), token.fingerprint), timeout };
    });
  }

  payout(request: { key: string; processorToken: string; amountMinor: bigint; currency: string }): Promise<CardAnswer> {
    return this.once(request.key, 'PAYOUT', async (em) => {
      const token = await em.findOne(TestProcessorToken, request.processorToken);
      if (!token || request.amountMinor <= 0n) {
        return { answer: declined(CardDeclineCode.INVALID_REQUEST), timeout: false };
      }
      const timeout = token.scenario === TestCardScenario.TIMEOUT;
      const refusal: Partial<Record<string, CardDeclineCode>> = {
        [TestCardScenario.DECLINE]: CardDeclineCode.DECLINED,
        [TestCardScenario.EXPIRED]: CardDeclineCode.EXPIRED_CARD,
      };
      const code = refusal[token.scenario];
      if (code) return { answer: declined(code, null, token.fingerprint), timeout };
      return { answer: this.approved(newId('tpp'), token.fingerprint), timeout };
    });
  }

  async lookup(key: string): Promise<CardAnswer | null> {
    const operation = await this.em.fork().findOne(TestProcessorOperation, { key });
    return operation ? fromJson(operation.answer) : null;
  }

  async disputes(since: Date): Promise<ProcessorDispute[]> {
    const rows = await this.em
      .fork()
      .find(TestProcessorDispute, { reportedAt: { $gte: since } }, { orderBy: { reportedAt: 'asc', id: 'asc' } });
    return rows.map((row) => ({
      id: row.id,
      chargeReference: row.chargeId,
      amountMinor: row.amountMinor,
      currency: row.currency,
      reason: row.reason,
      reportedAt: row.reportedAt,
    }));
  }

  private approved(reference: string, fingerprint: string): CardAnswer {
    return { outcome: CardOutcome.APPROVED, reference, declineCode: null, fingerprint };
  }

  private maybeDispute(em: EntityManager, token: TestProcessorToken, charge: TestProcessorCharge): void {
    if (token.scenario !== TestCardScenario.CHARGEBACK) return;
    em.persist(
      build(TestProcessorDispute, {
        chargeId: charge.id,
        amountMinor: charge.amountMinor,
        currency: charge.currency,
        reason: 'Fraudulent: the cardholder does not recognise the charge',
      }),
    );
  }

  private async chargeOf(
    em: EntityManager,
    reference: string,
  ): Promise<{ charge: TestProcessorCharge; token: TestProcessorToken } | null> {
    const charge = await em.findOne(TestProcessorCharge, reference, { lockMode: this.lock(em) });
    if (!charge) return null;
    return { charge, token: await em.findOneOrFail(TestProcessorToken, charge.tokenId) };
  }

  /** Row locks where the database has them (SQLite has one writer anyway). */
  private lock(em: EntityManager): LockMode | undefined {
    return em.getPlatform().constructor.name === 'PostgreSqlPlatform' ? LockMode.PESSIMISTIC_WRITE : undefined;
  }

  /**
   * Runs a call once per key, in one transaction of the processor's own: a repeated key answers what the first call
   * decided (a concurrent repeat waits on the unique key, then reads it). The TIMEOUT card's first answer is UNKNOWN,
   * though the call happened.
   */
  private async once(key: string, kind: string, decide: (em: EntityManager) => Promise<Decision>): Promise<CardAnswer> {
    const stored = await this.lookup(key);
    if (stored) return stored;
    try {
      return await this.em.fork().transactional(async (em) => {
        const { answer, timeout } = await decide(em);
        em.persist(build(TestProcessorOperation, { key, kind, answer: toJson(answer), timedOut: timeout }));
        await em.flush();
        return timeout
          ? { outcome: CardOutcome.UNKNOWN, reference: null, declineCode: null, fingerprint: null }
          : answer;
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const winner = await this.lookup(key);
      if (!winner) throw error;
      return winner;
    }
  }

  private async key(): Promise<string> {
    if (this.secret) return this.secret;
    const em = this.em.fork();
    let row = await em.findOne(TestProcessorKey, 'fingerprint');
    if (!row) {
      try {
        row = build(TestProcessorKey, { secret: randomBytes(32).toString('hex') });
        await em.persistAndFlush(row);
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        row = await this.em.fork().findOneOrFail(TestProcessorKey, 'fingerprint');
      }
    }
    this.secret = row.secret;
    return row.secret;
  }
}

export const testProcessorFactory: CardProcessorFactory = {
  name: 'test',
  create: ({ em }) => new TestCardProcessor(em),
  entities: [TestProcessorKey, TestProcessorToken, TestProcessorCharge, TestProcessorOperation, TestProcessorDispute],
};
