import type { EntityManager } from '@mikro-orm/core';
import type { DemoAccounts } from '../../common/module';
import { AccessCodeAlphabet, AccessCodeKind, AccessCodeService } from './access-code.entity';
import { createService } from './access-code.service';

/** One demo service for the demo merchant, once: "ACCESS" to 1092 buys a code good for 24 hours. */
export async function seedAccessCodes(em: EntityManager, demo: DemoAccounts): Promise<void> {
  if ((await em.count(AccessCodeService, { merchantId: demo.merchantId })) > 0) return;
  await em.transactional(async (tx) => {
    // Checked by production's rules (https only), which the demo's URLs meet, whatever the mode.
    await createService(
      tx,
      { mode: 'production' },
      {
        merchantId: demo.merchantId,
        name: 'Demo articles',
        keyword: 'ACCESS',
        shortCodes: ['1092'],
        replyTemplate: 'Your code: {code}. Valid until {expires}. Enter it on demo-shop.example.',
        kind: AccessCodeKind.PERIOD_FROM_ISSUE,
        validitySeconds: 86_400,
        codeLength: 6,
        alphabet: AccessCodeAlphabet.LETTERS_AND_DIGITS,
        paidUrl: 'https://demo-shop.example/articles/unlocked',
        expiredUrl: 'https://demo-shop.example/articles/expired',
        invalidUrl: 'https://demo-shop.example/articles/invalid',
        allowedIps: ['127.0.0.1'],
      },
    );
  });
}
