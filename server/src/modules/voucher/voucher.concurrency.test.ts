import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testDialect, type Auth, type TestApp } from '../../../test/harness';
import { checkInvariants } from '../../../test/invariants';
import { LedgerAccountPurpose } from '../ledger/ledger.entity';
import { ledgerAccount } from '../ledger/ledger.service';
import { Payment, PaymentStatus } from '../payment/payment.entity';
import { SmsMessage, SmsStatus } from '../sms/sms.entity';
import { Voucher, VoucherOrder, VoucherOrderState, VoucherStatus } from './voucher.entity';
import { releaseLapsedReservations } from './voucher.sales';

const BUYERS = 200;
const STOCK = 100;

/** Fisher–Yates with a fixed seed, so a failure can be replayed. */
function shuffle<T>(items: T[], seed = 42): T[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/*
 * Real concurrency needs PostgreSQL: SQLite runs one writer at a time (and one connection per process), so races
 * there cannot happen in the first place.
 */
describe('voucher reservations under concurrency', () => {
  let t: TestApp;
  let owner: Auth;
  beforeAll(async () => {
    if (testDialect() !== 'postgres') return;
    t = await startTestApp();
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  it.runIf(testDialect() === 'postgres')(
    `${BUYERS} buyers race for ${STOCK} vouchers, SMS arrive out of order and twice, lapsed holds are swept meanwhile`,
    async () => {
      const created = await t.gql(
        `mutation($input: CreateVoucherProjectInput!) { createVoucherProject(input: $input) { project { id slug } userErrors { message } } }`,
        {
          input: {
            name: 'Race',
            slug: `race-${Date.now().toString(36)}`,
            price: '4.00',
            kind: 'PIN',
            reservationMinutes: 5,
          },
        },
        owner,
      );
      const { id, slug } = created.data!.createVoucherProject.project;
      const csv = Array.from({ length: STOCK }, (_, i) => `RACE-${String(i).padStart(4, '0')}`).join('\n');
      const added = await t.gql(
        `mutation($input: AddVouchersInput!) { addVouchers(input: $input) { added userErrors { message } } }`,
        { input: { projectId: id, csv } },
        owner,
      );
      expect(added.data!.addVouchers).toEqual({ added: STOCK, userErrors: [] });
      const sellerBefore = (
        await ledgerAccount(t.orm.em.fork(), {
          merchantId: t.demo.merchantId,
          currency: 'USD',
          purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE,
        })
      ).balance;

      // All buyers at once, each from their own address (as real buyers come; one address is capped).
      const starts = await Promise.all(
        Array.from({ length: BUYERS }, (_, buyer) =>
          t.gql(
            `mutation($input: StartVoucherPaymentInput!) {
              startVoucherPayment(input: $input) { purchase { reference instruction { shortCode text } } userErrors { message } }
            }`,
            { input: { slug, country: 'BG' } },
            { headers: { 'x-forwarded-for': `198.18.${buyer >> 8}.${buyer & 255}` } },
          ),
        ),
      );
      for (const result of starts) expect(result.errors).toBeUndefined();
      const bought = starts.flatMap((r) =>
        r.data!.startVoucherPayment.purchase ? [r.data!.startVoucherPayment.purchase] : [],
      );
      const refused = starts.flatMap((r) => r.data!.startVoucherPayment.userErrors);
      expect(bought).toHaveLength(STOCK);
      expect(refused).toHaveLength(BUYERS - STOCK);
      for (const error of refused) expect(error.message).toContain('sold out');
      expect(await t.orm.em.fork().count(Voucher, { projectId: id, status: VoucherStatus.RESERVED })).toBe(STOCK);
      // Refused buyers left no payment behind.
      expect(await t.orm.em.fork().count(VoucherOrder, { projectId: id })).toBe(STOCK);

      // Every SMS of every instruction, each delivered twice (same provider message id), all shuffled together.
      const deliveries = bought.flatMap((purchase: any, buyer: number) =>
        purchase.instruction.flatMap((line: { shortCode: string; text: string }, index: number) => {
          const sms = {
            from: `+35988${String(7_000_000 + buyer)}`,
            to: line.shortCode,
            text: line.text,
            country: 'BG',
            messageId: `race-${buyer}-${index}`,
          };
          return [sms, sms];
        }),
      );
      expect(deliveries.length).toBeGreaterThanOrEqual(STOCK * 4);

      // Meanwhile the sweep runs as if a day had passed: a hold whose payment has no SMS yet is released, and that
      // payment's first SMS takes a voucher again. There are exactly as many vouchers as payments, so all succeed.
      let sweeping = true;
      const sweeper = (async () => {
        let released = 0;
        while (sweeping) {
          released += await releaseLapsedReservations(t.orm.em, new Date(Date.now() + 24 * 3600_000));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return released;
      })();
      try {
        await inBatches(shuffle(deliveries), 16, async (input) => {
          const result = await t.gql(
            `mutation($input: SimulateInboundSmsInput!) { simulateInboundSms(input: $input) { duplicate userErrors { message } } }`,
            { input },
          );
          expect(result.errors).toBeUndefined();
          expect(result.data!.simulateInboundSms.userErrors).toEqual([]);
        });
      } finally {
        sweeping = false;
      }
      // At the first sweep most payments had no SMS yet: the race between release and re-take did happen.
      expect(await sweeper).toBeGreaterThan(0);

      const em = t.orm.em.fork();
      const orders = await em.find(VoucherOrder, { projectId: id });
      const payments = await em.find(Payment, { id: { $in: orders.map((o) => o.paymentId) } });
      expect(payments.map((p) => p.status)).toEqual(Array(STOCK).fill(PaymentStatus.PAID));
      expect(orders.map((o) => o.state)).toEqual(Array(STOCK).fill(VoucherOrderState.SOLD));
      // Each SMS counted once: two per payment, duplicates ignored.
      expect(
        await em.count(SmsMessage, { paymentId: { $in: payments.map((p) => p.id) }, status: SmsStatus.COUNTED }),
      ).toBe(deliveries.length / 2);
      const vouchers = await em.find(Voucher, { projectId: id });
      expect(vouchers.every((v) => v.status === VoucherStatus.SOLD)).toBe(true);
      // Each voucher sold once, to a distinct payment, and every paid payment holds exactly one.
      expect(new Set(vouchers.map((v) => v.paymentId)).size).toBe(STOCK);
      expect(new Set(vouchers.map((v) => v.paymentId))).toEqual(new Set(payments.map((p) => p.id)));

      // The seller got the yield of every counted SMS; the ledger balances (checkInvariants: I1–I3 and I5).
      const counted = await em.find(SmsMessage, {
        paymentId: { $in: payments.map((p) => p.id) },
        status: SmsStatus.COUNTED,
      });
      const sellerAfter = (
        await ledgerAccount(em, {
          merchantId: t.demo.merchantId,
          currency: 'USD',
          purpose: LedgerAccountPurpose.MERCHANT_AVAILABLE,
        })
      ).balance;
      expect(sellerAfter - sellerBefore).toBe(counted.reduce((sum, sms) => sum + sms.yieldUsdMinor!, 0n));
      await checkInvariants(t.orm);
    },
    120_000,
  );
});
