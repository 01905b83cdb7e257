import type { Router } from 'express';
import type { RouteDeps } from '../../app/modules';
import { Purse, PurseCounter, PurseOperation, PursePayment } from './purse.entity';
import { mountPurseRoutes } from './purse.http';
import {
  PaymentPurseResolver,
  PurseCallbackResolver,
  PurseOperationResolver,
  PursePaymentPageResolver,
  PursePaymentResolver,
  PurseResolver,
} from './purse.resolver';
import { seedPurse } from './purse.seed';
// Registers the "purse" SMS product and the "purse.callback" outbox handler.
import './purse.sms';
import './purse.callback';

export const entities = [Purse, PursePayment, PurseOperation, PurseCounter];
export const resolvers = [
  PurseResolver,
  PursePaymentResolver,
  PurseOperationResolver,
  PurseCallbackResolver,
  PursePaymentPageResolver,
  PaymentPurseResolver,
] as const;

/** The sms:bank protocol: the merchant's form (`POST /bank/`) and the payer's way back to the shop. */
export function mountRoutes(router: Router, deps: RouteDeps): void {
  mountPurseRoutes(router, deps);
}

export const seed = seedPurse;
