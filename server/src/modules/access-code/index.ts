import type { Router } from 'express';
import type { RouteDeps } from '../../app/modules';
import { AccessCode, AccessCodeCheck, AccessCodeRoute, AccessCodeService } from './access-code.entity';
import { checkerFor } from './access-code.checker';
import { mountAccessCodeRoutes } from './access-code.http';
import { AccessCodeResolver, AccessCodeServiceResolver, SmsAccessCodeResolver } from './access-code.resolver';
import { seedAccessCodes } from './access-code.seed';
// Registers the "access-code" SMS product with the rails.
import './access-code.product';

export const entities = [AccessCodeService, AccessCodeRoute, AccessCode, AccessCodeCheck];
export const resolvers = [AccessCodeServiceResolver, AccessCodeResolver, SmsAccessCodeResolver] as const;
export const seed = seedAccessCodes;

/** `GET|POST /check/<service>`. */
export function mountRoutes(router: Router, deps: RouteDeps): void {
  mountAccessCodeRoutes(router, deps);
}

/** Nothing runs in the background but the attempt recorder; stopping writes what it still holds. */
export function startWorkers(deps: RouteDeps): { stop(): Promise<void> } {
  const checker = checkerFor(deps.orm.em, deps.config);
  return { stop: () => checker.recorder.flush() };
}
