import { IdempotencyRecord } from './idempotency-record.entity';

export const entities = [IdempotencyRecord];
export const resolvers = [] as const;
