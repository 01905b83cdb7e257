import type { EntityManager } from '@mikro-orm/core';
import type { DemoAccounts } from '../../common/module';
import { build } from '../../common/orm';
import { Purse, PurseLanguage } from './purse.entity';
import { newPurseSecret, nextNumber, PURSE_NUMBERS } from './purse.service';

/**
 * One purse for the demo merchant, once (any purse of theirs means it ran). Its URLs point at example.com: a demo
 * payment's callback is attempted and retried there, as a real one would be until the merchant sets its own.
 */
export async function seedPurse(em: EntityManager, demo: DemoAccounts): Promise<void> {
  if ((await em.count(Purse, { merchantId: demo.merchantId })) > 0) return;
  await em.transactional(async (tx) => {
    tx.persist(
      build(Purse, {
        merchantId: demo.merchantId,
        number: await nextNumber(tx, PURSE_NUMBERS),
        name: 'Demo Shop balance',
        secret: newPurseSecret(),
        successUrl: 'https://shop.example.com/sms-bank/success',
        failUrl: 'https://shop.example.com/sms-bank/fail',
        resultUrl: 'https://shop.example.com/sms-bank/result',
        countries: [],
        language: PurseLanguage.EN,
      }),
    );
  });
}
