import { GraphQLError } from 'graphql';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

/**
 * The closed set of expected-failure codes returned in mutation payloads. Codes only grow: clients switch on them.
 */
export enum UserErrorCode {
  INVALID = 'INVALID',
  REQUIRED = 'REQUIRED',
  TOO_LONG = 'TOO_LONG',
  NOT_FOUND = 'NOT_FOUND',
  TAKEN = 'TAKEN',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  LOCKED = 'LOCKED',
  WEAK_PASSWORD = 'WEAK_PASSWORD',
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  INSUFFICIENT_FUNDS = 'INSUFFICIENT_FUNDS',
  UNBALANCED = 'UNBALANCED',
  ALREADY_RESOLVED = 'ALREADY_RESOLVED',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  INVALID_URL = 'INVALID_URL',
  INVALID_CURRENCY = 'INVALID_CURRENCY',
  LAST_OWNER = 'LAST_OWNER',
  CANNOT_REMOVE_SELF = 'CANNOT_REMOVE_SELF',
  /** Nothing of it is left to sell (a voucher project's stock). */
  SOLD_OUT = 'SOLD_OUT',
  /** A confirmation code that does not match, or none is waiting: ask for a new one after a few tries. */
  INVALID_CODE = 'INVALID_CODE',
  /** The confirmation code expired, was replaced by a newer one, or was locked by wrong guesses. */
  CODE_EXPIRED = 'CODE_EXPIRED',
  /** A payout destination still in its cool-off period after it was added or changed. */
  COOLING_OFF = 'COOLING_OFF',
  /** The merchant owes Tollgate (a negative receivable): no withdrawal until it is covered. */
  RECEIVABLE_OPEN = 'RECEIVABLE_OPEN',
  /** The merchant is suspended by the platform: no new payments start (money in flight still settles). */
  MERCHANT_SUSPENDED = 'MERCHANT_SUSPENDED',
  /** A team invitation that expired, was revoked or was already used. */
  INVITE_EXPIRED = 'INVITE_EXPIRED',
}
registerEnumType(UserErrorCode, { name: 'UserErrorCode', description: 'Why a mutation refused its input.' });

@ObjectType({ description: 'An expected failure of a mutation: nothing was changed.' })
export class UserError {
  @Field(() => UserErrorCode)
  code!: UserErrorCode;

  @Field(() => [String], { nullable: true, description: 'Path of the offending input field, e.g. ["input", "email"].' })
  field?: string[] | null;

  @Field(() => String, { description: 'A sentence a person can act on.' })
  message!: string;
}

/** An expected failure raised inside a service; resolvers turn it into `userErrors` of the payload. */
export class UserFacingError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly field: string[] | null = null,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }

  toUserError(): UserError {
    return Object.assign(new UserError(), { code: this.code, field: this.field, message: this.message });
  }
}

export function userError(code: UserErrorCode, message: string, field: string[] | null = null): UserError {
  return new UserFacingError(code, message, field).toUserError();
}

/** Codes of unexpected failures (GraphQL errors' `extensions.code`). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'NOT_AVAILABLE'
  | 'TOO_MANY_REQUESTS'
  /** The merchant is suspended by the platform: it may read, not change anything or start payments. */
  | 'MERCHANT_SUSPENDED'
  /** A platform admin without two-factor login: enrol first (startTotpEnrolment). */
  | 'TOTP_REQUIRED';

export function graphqlError(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * Runs a service call for a mutation: its value becomes the payload's result, an expected failure its userErrors.
 */
export async function payload<T, P extends { userErrors: UserError[] }>(
  make: (result: T | null, userErrors: UserError[]) => P,
  run: () => Promise<T>,
): Promise<P> {
  try {
    return make(await run(), []);
  } catch (error) {
    if (error instanceof UserFacingError) return make(null, [error.toUserError()]);
    throw error;
  }
}
