import type { MikroORM } from '@mikro-orm/core';
import { createUser } from '../modules/auth/auth.service';
import { User, UserRole } from '../modules/auth/user.entity';
import { Merchant } from '../modules/merchant/merchant.entity';
import type { DemoAccounts } from '../common/module';
import { seedModules } from './modules';
import { build } from '../common/orm';

export const DEMO_LOGINS = {
  owner: { email: 'owner@demo.tollgate.test', password: 'demo-owner-password' },
  admin: { email: 'admin@tollgate.test', password: 'demo-admin-password' },
} as const;

/**
 * The demo admin's TOTP secret (README, "Demo logins"): published, so only ever given to the demo admin and never in
 * production (there the demo admin enrols like any admin).
 */
export const DEMO_ADMIN_TOTP_SECRET = 'KRXWY3DHMF2GKIDEMVWW6IDBMRWWS3QK';

/**
 * Creates the demo merchant, its owner and a platform admin (once), then each module's demo data. With `demoTotp`
 * (everywhere but production) the demo admin gets the published TOTP secret so the demo stays usable.
 */
export async function seedDemo(orm: MikroORM, options: { demoTotp?: boolean } = {}): Promise<DemoAccounts> {
  const em = orm.em.fork();
  let owner = await em.findOne(User, { email: DEMO_LOGINS.owner.email });
  if (!owner) {
    const merchant = build(Merchant, { name: 'Demo Shop' });
    em.persist(merchant);
    owner = await createUser(em, {
      ...DEMO_LOGINS.owner,
      name: 'Dana Owner',
      role: UserRole.OWNER,
      merchantId: merchant.id,
    });
  }
  let admin = await em.findOne(User, { email: DEMO_LOGINS.admin.email });
  admin ??= await createUser(em, { ...DEMO_LOGINS.admin, name: 'Ada Admin', role: UserRole.ADMIN, merchantId: null });
  if ((options.demoTotp ?? true) && !admin.totpEnabledAt) {
    admin.totpSecret = DEMO_ADMIN_TOTP_SECRET;
    admin.totpEnabledAt = new Date();
  }
  await em.flush();
  const demo = { merchantId: owner.merchantId!, ownerUserId: owner.id, adminUserId: admin.id };
  await seedModules(em, demo);
  await em.flush();
  return demo;
}
