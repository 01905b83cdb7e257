import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Router } from 'express';
import type { Config } from './config';
import type { PubSubLike } from './context';
import type { RateLimits } from './rate-limit';

/*
 * The module contract. A domain module (server/src/modules/<x>/index.ts) declares everything it adds to the platform
 * in one `DomainModule` value: its entities, resolvers, HTTP routes, background workers, demo data, and what it plugs
 * into other modules' extension points (SMS products into the SMS rails, outbox handlers into the outbox). The app
 * collects the modules and passes the result back in (`Platform`): nothing registers itself by being imported, and
 * no module keeps a mutable global of another's.
 */

/**
 * Extension points, by name. A module that offers one adds its type here by declaration merging:
 * `declare module '../../common/module' { interface Extensions { smsProducts: readonly SmsProduct[] } }`.
 * Every extension is a list; the platform's value of each is every module's contributions, in module order.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Extensions {}

/** What the running platform gives a module's routes, workers, handlers and resolvers. */
export interface Platform {
  config: Config;
  orm: MikroORM;
  pubsub: PubSubLike;
  /** Request budgets shared by every process (Redis) or this one (memory); see common/rate-limit.ts. */
  limits: RateLimits;
  extensions: Extensions;
}

/** The accounts the core seed creates, for modules that add demo data of their own. */
export interface DemoAccounts {
  merchantId: string;
  ownerUserId: string;
  adminUserId: string;
}

export interface DomainModule {
  /** Unique, e.g. "voucher". */
  name: string;
  entities: readonly Function[];
  resolvers: readonly Function[];
  /** Resolvers built from what the other modules provide (a union of their types, say). */
  resolversFor?: (extensions: Extensions) => readonly Function[];
  /** What this module plugs into extension points (see Extensions). */
  provides?: { [K in keyof Extensions]?: Extensions[K] };
  /** HTTP routes beside /graphql (webhooks, legacy forms, redirects). */
  mountRoutes?: (router: Router, platform: Platform) => void;
  /** Background loops (outbox delivery, expiry sweeps); each returns how to stop it. */
  startWorkers?: (platform: Platform) => { stop(): Promise<void> };
  /** Adds this module's demo data; must be safe to run again on a seeded database. */
  seed?: (em: EntityManager, demo: DemoAccounts) => Promise<void>;
}

/** Every module's contributions to each extension point, concatenated in module order. */
export function collectExtensions(modules: readonly DomainModule[]): Extensions {
  const collected: Record<string, unknown[]> = {};
  for (const module of modules) {
    for (const [point, items] of Object.entries(module.provides ?? {})) {
      (collected[point] ??= []).push(...(items as unknown[]));
    }
  }
  return collected as unknown as Extensions;
}
