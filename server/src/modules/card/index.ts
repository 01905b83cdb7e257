import type { DomainModule } from '../../common/module';
import { startSweeper } from '../../common/sweeper';
import { PaymentKind } from '../payment';
import { CardCharge, CardCheckout, CardOperation, CardPayout, CardRefund, CardToken, Chargeback } from './card.entity';
import { reconcileCardPayouts } from './card.payout';
import { mountCardRoutes } from './card.http';
import { CardChargeResolver, CardPaymentResolver, ChargebackResolver, PublicCardResolver } from './card.resolver';
import { pollDisputes, reconcileCardOperations, refundLateCaptures } from './card.service';
import { testProcessorFactory } from './test-processor';

export const cardModule: DomainModule = {
  name: 'card',
  entities: [
    CardToken,
    CardCheckout,
    CardCharge,
    CardOperation,
    CardRefund,
    Chargeback,
    CardPayout,
    ...testProcessorFactory.entities!,
  ],
  resolvers: [CardPaymentResolver, CardChargeResolver, PublicCardResolver, ChargebackResolver],
  provides: {
    cardProcessors: [testProcessorFactory],
    // Card payments (kind CARD) buy nothing else: their detail is where the payer returns and how it is captured.
    paymentProducts: [
      {
        kind: PaymentKind.CARD,
        type: CardCheckout,
        load: (em, payment) => em.findOne(CardCheckout, { paymentId: payment.id }),
        acceptsCard: async () => true,
      },
    ],
  },
  /** `POST /card/tokens`, the tokeniser of the hosted payer page; `POST /card/payout-tokens`, a merchant's own. */
  mountRoutes: mountCardRoutes,
  /**
   * Reconciliation: calls the processor left unanswered (UNKNOWN, or PENDING after a crash) are looked up and
   * resolved once a minute, payouts to cards too; late captures whose refund never started are refunded; disputes the processor reports
   * become chargebacks.
   */
  startWorkers(platform) {
    const deps = () => ({
      em: platform.orm.em.fork(),
      pubsub: platform.pubsub,
      config: platform.config,
      extensions: platform.extensions,
      limits: platform.limits,
    });
    return startSweeper(
      'card reconciliation',
      async () => {
        const looked = await reconcileCardOperations(deps());
        const paidOut = await reconcileCardPayouts(deps());
        const refunded = await refundLateCaptures(deps());
        await pollDisputes(deps());
        return looked >= 100 || paidOut >= 100 || refunded >= 100;
      },
      { quiet: platform.config.mode === 'test' },
    );
  },
};

// The public face: what other modules use.
export { CardBrand } from './card.numbers';
export { CardDeclineCode, CardOutcome } from './card.processor';
export type {
  AuthoriseRequest,
  CardAnswer,
  CardDetails,
  CardProcessor,
  CardProcessorDeps,
  CardProcessorFactory,
  ProcessorDispute,
  TokeniseAnswer,
} from './card.processor';
export { CardCharge, CardChargeStatus, CardPayout, CardPayoutStatus, CardToken } from './card.entity';
export {
  cardPayoutsOf,
  reconcileCardPayouts,
  sendCardPayout,
  type CardPayoutActor,
  type CardPayoutHandler,
  type CardPayoutRequest,
} from './card.payout';
export type { CardDeps } from './card.service';
export { acceptsCard, remainingOf } from './card.service';
export { TEST_BIN, TEST_CARDS, TEST_CHALLENGE_ANSWER, TestCardScenario, testCard } from './test-cards';
