import type { EntityManager } from '@mikro-orm/core';
import { createUnionType, Ctx, FieldResolver, Query, Resolver, Root, type ClassType } from 'type-graphql';
import type { Config } from '../../common/config';
import type { Context } from '../../common/context';
import type { Extensions } from '../../common/module';
import { Payment, PaymentKind } from './payment.entity';

/**
 * What a payment buys, by product: a product module provides one `PaymentProduct` per payment kind it owns (the
 * `paymentProducts` extension), and `Payment.product` answers with that product's own object (a purse payment's
 * protocol fields, a voucher order, the access code issued). One query thus lists every payment with its product
 * detail, without knowing the products.
 */
export interface PaymentProduct<T extends object = object> {
  kind: PaymentKind;
  /** Its GraphQL object type: a member of the `PaymentProduct` union. */
  type: ClassType<T>;
  /** The detail of a payment of this kind, or null when it has none (yet). */
  load(em: EntityManager, payment: Payment): Promise<T | null>;
  /** The product's reaction when one of its payments expired unpaid, in the same transaction (free what it held). */
  onExpired?(em: EntityManager, payment: Payment, at: Date): Promise<void>;
  /**
   * Whether the payer may pay (or finish paying) this payment by card: the merchant turned card on for the project or
   * service it belongs to. Absent: never (purses stay SMS-only, as their protocol defines).
   */
  acceptsCard?(em: EntityManager, payment: Payment): Promise<boolean>;
  /**
   * The product's reaction to money that reached one of its payments by another rail than SMS (a card capture), in
   * the same transaction as the posting: reveal the voucher, issue and mail the access code. `paidNow` when this
   * money made the payment PAID. SMS keep their own hook (SmsProduct.onReceived).
   */
  onFunded?(em: EntityManager, event: FundedEvent): Promise<void>;
}

/** What a product learns when money reached its payment by card. */
export interface FundedEvent {
  /** Locked and already credited; announced after the commit. */
  payment: Payment;
  /** What arrived, in minor units of the payment's currency. */
  amountMinor: bigint;
  /** Where it came from. */
  source: 'CARD';
  paidNow: boolean;
  /** An email the payer gave on the hosted page, for products that deliver by email (access codes). */
  payerEmail: string | null;
  at: Date;
  /** The platform's configuration: access codes are sealed with its secret when issued (as SmsReceived has it). */
  config: Config;
}

declare module '../../common/module' {
  interface Extensions {
    paymentProducts: readonly PaymentProduct[];
  }
}

/** Payments the API creates itself (createPayment) have no product module; they are top-ups of a balance. */
const BUILT_IN_KINDS: readonly PaymentKind[] = [PaymentKind.TOP_UP];

const resolversByProducts = new Map<string, Function>();

/**
 * The resolver of `Payment.product` and `paymentKinds` for these products. Built once per set of product types: the
 * union's members are the products' types, known only once the app has collected its modules.
 */
export function paymentProductResolver(extensions: Extensions): Function {
  const products = extensions.paymentProducts ?? [];
  const key = products.map((product) => product.kind).join();
  const built = resolversByProducts.get(key);
  if (built) return built;
  const types = [...new Set(products.map((product) => product.type))];
  if (!types.length) throw new Error('no module provides a payment product');
  const ProductUnion = createUnionType({
    name: 'PaymentProduct',
    description: 'What a payment buys, by its kind: each product’s own detail.',
    types: () => types as [ClassType, ...ClassType[]],
    resolveType: (value) => types.find((type) => value instanceof type),
  });

  @Resolver(() => Payment)
  class PaymentProductResolver {
    @Query(() => [PaymentKind], {
      description: 'The kinds of payment this platform takes (its products, and API top-ups): what a filter offers.',
    })
    paymentKinds(): PaymentKind[] {
      return [...products.map((product) => product.kind), ...BUILT_IN_KINDS];
    }

    @FieldResolver(() => ProductUnion, {
      nullable: true,
      description: 'What it buys: the product’s own detail (null for top-ups, which buy nothing else).',
    })
    async product(@Root() payment: Payment, @Ctx() ctx: Context): Promise<object | null> {
      const product = products.find((candidate) => candidate.kind === payment.kind);
      return product ? product.load(ctx.em, payment) : null;
    }
  }
  resolversByProducts.set(key, PaymentProductResolver);
  return PaymentProductResolver;
}
