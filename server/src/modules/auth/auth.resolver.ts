import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import type { LimitName } from '../../common/rate-limit';
import { requireViewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { Merchant } from '../merchant';
import {
  changePassword,
  completeSecondFactor,
  login,
  logout,
  SECOND_FACTOR_TTL_SECONDS,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
} from './auth.service';
import {
  ChangePasswordInput,
  ChangePasswordPayload,
  ConfirmTotpEnrolmentPayload,
  DisableTotpPayload,
  LoginInput,
  LoginPayload,
  Me,
  SecondFactorInput,
  StartTotpEnrolmentPayload,
} from './auth.types';
import { confirmTotpEnrolment, disableTotp, startTotpEnrolment } from './totp.service';
import { User } from './user.entity';

@Resolver(() => User)
export class AuthResolver {
  @Query(() => Me, { nullable: true, description: 'The caller, or null when not logged in.' })
  async me(@Ctx() ctx: Context): Promise<Me | null> {
    const viewer = ctx.viewer;
    if (!viewer) return null;
    return {
      user: viewer.userId ? await ctx.em.findOne(User, viewer.userId) : null,
      merchant: viewer.merchantId ? await ctx.em.findOne(Merchant, viewer.merchantId) : null,
      scopes: [...viewer.scopes],
    };
  }

  @Mutation(() => LoginPayload, {
    description:
      'Opens a dashboard session (httpOnly cookie). Locks for 30 minutes after 10 failures. Budgets per address and ' +
      'per email: past them, a RATE_LIMITED error with retryAfterSeconds (HTTP 429).',
  })
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: Context): Promise<LoginPayload> {
    // Before the password is hashed: that is the work a flood would buy.
    const charges: [LimitName, string][] = [
      ['login:ip', ctx.ip],
      ['login:email', input.email.trim().toLowerCase()],
    ];
    await ctx.limits.consume(...charges);
    return payload(
      (result, userErrors) => ({
        user: result?.secondFactorRequired ? null : (result?.user ?? null),
        secondFactorRequired: result?.secondFactorRequired ?? false,
        userErrors,
      }),
      async () => {
        const result = await login(ctx.em, input.email, input.password);
        const ttl = result.secondFactorRequired ? SECOND_FACTOR_TTL_SECONDS : SESSION_TTL_SECONDS;
        ctx.setCookie(SESSION_COOKIE, result.token, ttl);
        // The budgets count failures (guessing); a right password gives its request back.
        await ctx.limits.refund(...charges);
        return result;
      },
    );
  }

  @Mutation(() => LoginPayload, {
    description:
      'Finishes a login that asked for a second factor (the pending session cookie from login): a code from the ' +
      'authenticator app, or a recovery code. Wrong codes are throttled per user (RATE_LIMITED).',
  })
  async loginSecondFactor(
    @Arg('input', () => SecondFactorInput) input: SecondFactorInput,
    @Ctx() ctx: Context,
  ): Promise<LoginPayload> {
    return payload(
      (user, userErrors) => ({ user, secondFactorRequired: user === null, userErrors }),
      async () => {
        const { user, token } = await completeSecondFactor(ctx.em, ctx.limits, ctx.sessionToken, input.code);
        ctx.setCookie(SESSION_COOKIE, token, SESSION_TTL_SECONDS);
        return user;
      },
    );
  }

  @Authorized()
  @Mutation(() => StartTotpEnrolmentPayload, {
    description:
      'Starts two-factor login for the logged-in user: a new TOTP secret and its QR code; confirm it with a code ' +
      'from the app (confirmTotpEnrolment). Platform admins must do this before anything else.',
  })
  async startTotpEnrolment(@Ctx() ctx: Context): Promise<StartTotpEnrolmentPayload> {
    const userId = loggedInUser(ctx);
    return payload(
      (enrolment, userErrors) => ({ enrolment, userErrors }),
      () => startTotpEnrolment(ctx.em, userId),
    );
  }

  @Authorized()
  @Mutation(() => ConfirmTotpEnrolmentPayload, {
    description: 'Turns two-factor login on with a code from the app; answers the recovery codes, shown this once.',
  })
  async confirmTotpEnrolment(
    @Arg('input', () => SecondFactorInput) input: SecondFactorInput,
    @Ctx() ctx: Context,
  ): Promise<ConfirmTotpEnrolmentPayload> {
    const userId = loggedInUser(ctx);
    return payload(
      (recoveryCodes, userErrors) => ({ enabled: recoveryCodes !== null, recoveryCodes, userErrors }),
      () => confirmTotpEnrolment(ctx.em, ctx, userId, input.code),
    );
  }

  @Authorized()
  @Mutation(() => DisableTotpPayload, {
    description: 'Turns two-factor login off, proven by a current code or a recovery code.',
  })
  async disableTotp(
    @Arg('input', () => SecondFactorInput) input: SecondFactorInput,
    @Ctx() ctx: Context,
  ): Promise<DisableTotpPayload> {
    const userId = loggedInUser(ctx);
    return payload(
      (disabled, userErrors) => ({ disabled: disabled ?? false, userErrors }),
      async () => {
        await disableTotp(ctx.em, ctx, userId, input.code);
        return true;
      },
    );
  }

  @Mutation(() => Boolean, { description: 'Ends the current session.' })
  async logout(@Ctx() ctx: Context): Promise<boolean> {
    const token = ctx.sessionToken;
    if (token) await logout(ctx.em, token);
    ctx.clearCookie(SESSION_COOKIE);
    return true;
  }

  @Authorized()
  @Mutation(() => ChangePasswordPayload, {
    description: "Changes the logged-in user's password and ends their other sessions.",
  })
  async changePassword(
    @Arg('input', () => ChangePasswordInput) input: ChangePasswordInput,
    @Ctx() ctx: Context,
  ): Promise<ChangePasswordPayload> {
    const viewer = requireViewer(ctx);
    return payload(
      (changed, userErrors) => ({ changed: changed ?? false, userErrors }),
      async () => {
        if (!viewer.userId) throw new Error('unreachable: API keys have no password');
        await changePassword(ctx.em, viewer.userId, input.currentPassword, input.newPassword);
        return true;
      },
    );
  }
}

/** The user behind a dashboard session; API keys have no login of their own to secure. */
function loggedInUser(ctx: Context): string {
  const viewer = requireViewer(ctx);
  if (!viewer.userId) throw graphqlError('FORBIDDEN', 'only a logged-in user has a login to secure');
  return viewer.userId;
}

@Resolver(() => User)
export class UserFieldsResolver {
  @FieldResolver(() => Boolean, { description: 'Whether this user logs in with a TOTP code after the password.' })
  twoFactorEnabled(@Root() user: User): boolean {
    return user.totpEnabledAt !== null;
  }

  @FieldResolver(() => Merchant, { nullable: true })
  merchant(@Root() user: User, @Ctx() ctx: Context): Promise<Merchant | null> | null {
    return user.merchantId ? ctx.em.findOne(Merchant, user.merchantId) : null;
  }
}
