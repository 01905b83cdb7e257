import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../common/context';
import { actingMerchant, requireViewer, type Viewer } from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { AlertSetting } from './alert.entity';
import { alertSettings, updateAlertSetting } from './alert.service';
import { UpdateAlertSettingInput, UpdateAlertSettingPayload } from './alert.types';

/** Alerts go to people's mailboxes: only owners (and admins) choose them. */
function requireOwner(viewer: Viewer): void {
  if (viewer.role !== 'OWNER' && viewer.role !== 'ADMIN') {
    throw graphqlError('FORBIDDEN', 'only an owner can change alerts');
  }
}

@Resolver(() => AlertSetting)
export class AlertResolver {
  @Authorized()
  @Query(() => [AlertSetting], {
    description: "The merchant's email alerts, one per kind (kinds never set are off).",
  })
  alertSettings(
    @Arg('merchantId', () => ID, { nullable: true, description: 'For admins: whose alerts.' })
    merchantId: string | null,
    @Ctx() ctx: Context,
  ): Promise<AlertSetting[]> {
    return alertSettings(ctx.em, actingMerchant(requireViewer(ctx), merchantId));
  }

  @Authorized()
  @Mutation(() => UpdateAlertSettingPayload, {
    description: 'Switches an email alert on or off, with its threshold and recipient; audited.',
  })
  updateAlertSetting(
    @Arg('input', () => UpdateAlertSettingInput) input: UpdateAlertSettingInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateAlertSettingPayload> {
    const viewer = requireViewer(ctx);
    requireOwner(viewer);
    const merchantId = actingMerchant(viewer, input.merchantId);
    return payload(
      (alertSetting, userErrors) => ({ alertSetting, userErrors }),
      () => updateAlertSetting(ctx.em, ctx, merchantId, input),
    );
  }
}
