import { UserErrorCode, UserFacingError } from './errors';

/** A transition table: each named transition lists the states it may leave from and the state it enters. */
export type Transitions<S extends string, T extends string> = Record<T, { from: readonly S[]; to: S }>;

/** Returns the state a named transition leads to, or throws INVALID_TRANSITION when it may not start from `current`. */
export function nextState<S extends string, T extends string>(table: Transitions<S, T>, current: S, transition: T): S {
  const rule = table[transition];
  if (!rule.from.includes(current)) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, `cannot ${transition} from ${current.toLowerCase()}`);
  }
  return rule.to;
}
