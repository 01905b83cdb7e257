import type { EntityManager } from '@mikro-orm/core';
import type { Router } from 'express';
import { collectExtensions, type DemoAccounts, type DomainModule, type Platform } from '../common/module';
import { accessCodeModule } from '../modules/access-code';
import { alertModule } from '../modules/alert';
import { apiKeyModule } from '../modules/api-key';
import { cardModule } from '../modules/card';
import { auditModule } from '../modules/audit';
import { authModule } from '../modules/auth';
import { confirmationModule } from '../modules/confirmation';
import { feePlanModule } from '../modules/fee-plan';
import { idempotencyModule } from '../modules/idempotency';
import { ledgerModule } from '../modules/ledger';
import { mailModule } from '../modules/mail';
import { operatorSettlementModule } from '../modules/operator-settlement';
import { merchantModule } from '../modules/merchant';
import { outboxModule } from '../modules/outbox';
import { payoutModule } from '../modules/payout';
import { paymentModule } from '../modules/payment';
import { purseModule } from '../modules/purse';
import { reportingModule } from '../modules/reporting';
import { smppModule } from '../modules/smpp';
import { smsModule } from '../modules/sms';
import { statementModule } from '../modules/statement';
import { tariffModule } from '../modules/tariff';
import { teamModule } from '../modules/team';
import { voucherModule } from '../modules/voucher';
import { webhookModule } from '../modules/webhook';
import { endpointCheckModule } from '../modules/endpoint-check';

/**
 * Every domain module, lowest layer first: each declares its entities, resolvers, routes, workers, seed and what it
 * plugs into other modules (common/module.ts). Adding a module is one line here. Products come before the rails'
 * built-in fallback, so their SMS recognition is tried first.
 */
export const MODULES: readonly DomainModule[] = [
  merchantModule,
  authModule,
  auditModule,
  apiKeyModule,
  ledgerModule,
  feePlanModule,
  idempotencyModule,
  paymentModule,
  teamModule,
  outboxModule,
  webhookModule,
  mailModule,
  confirmationModule,
  tariffModule,
  smsModule,
  smppModule,
  purseModule,
  accessCodeModule,
  voucherModule,
  payoutModule,
  statementModule,
  cardModule,
  operatorSettlementModule,
  endpointCheckModule,
  alertModule,
  reportingModule,
];

export const entities = MODULES.flatMap((module) => module.entities);

/** The resolvers of a set of modules (extra ones in tests add theirs). */
export function resolversOf(modules: readonly DomainModule[]): [Function, ...Function[]] {
  const extensions = collectExtensions(modules);
  return modules.flatMap((module) => [
    ...module.resolvers,
    ...(module.resolversFor?.(extensions) ?? []),
  ]) as unknown as [Function, ...Function[]];
}

/** The platform the modules run on: what they share, with every module's extensions collected. */
export function platformOf(base: Omit<Platform, 'extensions'>, modules: readonly DomainModule[] = MODULES): Platform {
  return { ...base, extensions: collectExtensions(modules) };
}

export function mountRoutes(router: Router, platform: Platform, modules: readonly DomainModule[] = MODULES): void {
  for (const module of modules) module.mountRoutes?.(router, platform);
}

export function startWorkers(
  platform: Platform,
  modules: readonly DomainModule[] = MODULES,
): { stop(): Promise<void> } {
  const running = modules.flatMap((module) => (module.startWorkers ? [module.startWorkers(platform)] : []));
  return { stop: async () => void (await Promise.all(running.map((worker) => worker.stop()))) };
}

export async function seedModules(em: EntityManager, demo: DemoAccounts): Promise<void> {
  for (const module of MODULES) await module.seed?.(em, demo);
}
