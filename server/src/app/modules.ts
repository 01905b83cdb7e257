import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Router } from 'express';
import type { Config } from '../common/config';
import type { PubSubLike } from '../common/context';
import * as apiKey from '../modules/api-key';
import * as audit from '../modules/audit';
import * as auth from '../modules/auth';
import * as merchant from '../modules/merchant';
import * as ledger from '../modules/ledger';
import * as idempotency from '../modules/idempotency';
import * as payment from '../modules/payment';
import * as team from '../modules/team';
import * as mail from '../modules/mail';
import * as outbox from '../modules/outbox';
import * as webhook from '../modules/webhook';
import * as tariff from '../modules/tariff';
import * as sms from '../modules/sms';
import * as smpp from '../modules/smpp';
import * as voucher from '../modules/voucher';
import * as accessCode from '../modules/access-code';
import * as purse from '../modules/purse';

/**
 * Every domain module, lowest layer first. A module's index exports its entities and resolvers; adding a module
 * is one line here.
 */
const modules: DomainModule[] = [
  merchant,
  auth,
  audit,
  apiKey,
  ledger,
  idempotency,
  payment,
  team,
  outbox,
  webhook,
  mail,
  tariff,
  sms,
  smpp,
  purse,
  accessCode,
  voucher,
];

/** What a module's HTTP routes (webhooks, legacy forms, redirects) may use. */
export interface RouteDeps {
  config: Config;
  orm: MikroORM;
  pubsub: PubSubLike;
}

interface DomainModule {
  entities: readonly Function[];
  resolvers: readonly Function[];
  mountRoutes?: (router: Router, deps: RouteDeps) => void;
  /** Background loops (outbox delivery, expiry sweeps); each returns how to stop it. */
  startWorkers?: (deps: RouteDeps) => { stop(): Promise<void> };
  /** Adds this module's demo data; must be safe to run again on a seeded database. */
  seed?: (em: EntityManager, demo: DemoAccounts) => Promise<void>;
}

/** The accounts the core seed creates, for modules that add demo data of their own. */
export interface DemoAccounts {
  merchantId: string;
  ownerUserId: string;
  adminUserId: string;
}

export const entities = modules.flatMap((module) => module.entities);
export const resolvers = modules.flatMap((module) => [...module.resolvers]) as unknown as [Function, ...Function[]];

export function mountRoutes(router: Router, deps: RouteDeps): void {
  for (const module of modules) module.mountRoutes?.(router, deps);
}

export function startWorkers(deps: RouteDeps): { stop(): Promise<void> } {
  const running = modules.flatMap((module) => (module.startWorkers ? [module.startWorkers(deps)] : []));
  return { stop: async () => void (await Promise.all(running.map((worker) => worker.stop()))) };
}

export async function seedModules(em: EntityManager, demo: DemoAccounts): Promise<void> {
  for (const module of modules) await module.seed?.(em, demo);
}
