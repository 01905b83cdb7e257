import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import type { LimitName } from '../../common/rate-limit';
import { requireViewer } from '../../common/context';
import { payload } from '../../common/errors';
import { Merchant } from '../merchant';
import { changePassword, login, logout, SESSION_COOKIE, SESSION_TTL_SECONDS } from './auth.service';
import { ChangePasswordInput, ChangePasswordPayload, LoginInput, LoginPayload, Me } from './auth.types';
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
      (result, userErrors) => ({ user: result, userErrors }),
      async () => {
        const { user, token } = await login(ctx.em, input.email, input.password);
        ctx.setCookie(SESSION_COOKIE, token, SESSION_TTL_SECONDS);
        // The budgets count failures (guessing); a right password gives its request back.
        await ctx.limits.refund(...charges);
        return user;
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

@Resolver(() => User)
export class UserFieldsResolver {
  @FieldResolver(() => Merchant, { nullable: true })
  merchant(@Root() user: User, @Ctx() ctx: Context): Promise<Merchant | null> | null {
    return user.merchantId ? ctx.em.findOne(Merchant, user.merchantId) : null;
  }
}
