import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp, seedDemo } from '../../../test/harness';
import { checkInvariants } from '../../../test/invariants';
import { AuditEvent } from '../audit/audit-event.entity';
import { LedgerAccountPurpose } from '../ledger/ledger.entity';
import { ledgerAccount } from '../ledger/ledger.service';
import { Payment, PaymentStatus } from '../payment/payment.entity';
import { SmsMessage, SmsStatus } from '../sms/sms.entity';
import { Voucher, VoucherOrder, VoucherOrderState, VoucherProject, VoucherStatus } from './voucher.entity';
import { DEMO_VOUCHER_SLUG } from './voucher.seed';
import { instructionTableBuilds } from './voucher.instruction';
import { MAX_UNPAID_RESERVATIONS_PER_SOURCE, releaseLapsedReservations } from './voucher.sales';
import { SmsTariff } from '../tariff/tariff.entity';

/*
 * Tariffs used (the seeded demo catalogue): BG 1092 $0.67, 1094 $1.33, 1096 $2.67 (Yettel $2.72), merchant yield
 * half of the USD price. A $4.00 voucher in PRICE mode is exactly 1096 + 1094: two SMS of different tariffs.
 */
const OTHER_PHONE = '+359888000222';

const PROJECT_FIELDS = `id name slug price { amount currency } pricing countries kind active reservationMinutes
  stock { available reserved sold withdrawn prepaid } unfulfilled publicUrl`;
const PURCHASE_FIELDS = `token reference status state country countryName amount { amount } amountReceived { amount }
  instruction { number shortCode text price { amount currency } priceUsd { amount } }
  voucher { kind code password } reservationExpiresAt shop { slug soldOut }`;

describe('vouchers', () => {
  let t: TestApp;
  let owner: Auth;
  let admin: Auth;
  let other: Auth;
  let slugCounter = 0;
  let phoneCounter = 0;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.ownerAuth();
    admin = await t.adminAuth();
    const created = await t.gql(
      `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { userErrors { message } } }`,
      {
        input: {
          name: 'Other shop',
          ownerEmail: 'owner@other-vouchers.test',
          ownerName: 'Other',
          ownerPassword: 'other-owner-password',
        },
      },
      admin,
    );
    expect(created.data!.createMerchant.userErrors).toEqual([]);
    other = await t.login('owner@other-vouchers.test', 'other-owner-password');
  });
  afterAll(async () => t?.close());

  const nextSlug = () => `shop-${Date.now().toString(36)}-${++slugCounter}`;
  const nextPhone = () => `+3598881${String(++phoneCounter).padStart(5, '0')}`;

  async function createProject(input: Record<string, unknown> = {}, auth: Auth = owner) {
    const result = await t.gql(
      `mutation($input: CreateVoucherProjectInput!) {
        createVoucherProject(input: $input) { project { ${PROJECT_FIELDS} } userErrors { code field message } }
      }`,
      { input: { name: 'Game card', slug: nextSlug(), price: '4.00', kind: 'PIN', ...input } },
      auth,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.createVoucherProject.userErrors).toEqual([]);
    return result.data!.createVoucherProject.project as { id: string; slug: string; [key: string]: any };
  }

  async function addVouchers(projectId: string, csv: string, auth: Auth = owner) {
    const result = await t.gql(
      `mutation($input: AddVouchersInput!) {
        addVouchers(input: $input) { added project { stock { available } } userErrors { code field message } }
      }`,
      { input: { projectId, csv } },
      auth,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.addVouchers as { added: number; project: any; userErrors: any[] };
  }

  async function project(id: string, auth: Auth = owner) {
    const result = await t.gql(`query($id: ID!) { voucherProject(id: $id) { ${PROJECT_FIELDS} } }`, { id }, auth);
    return result;
  }

  async function start(slug: string, country = 'BG', ip?: string) {
    const result = await t.gql(
      `mutation($input: StartVoucherPaymentInput!) {
        startVoucherPayment(input: $input) { purchase { ${PURCHASE_FIELDS} } userErrors { code field message } }
      }`,
      { input: { slug, country } },
      ip ? { headers: { 'x-forwarded-for': ip } } : {},
    );
    expect(result.errors).toBeUndefined();
    return result.data!.startVoucherPayment as { purchase: any; userErrors: any[] };
  }

  async function purchase(token: string) {
    const result = await t.gql(`query($token: String!) { voucherPayment(token: $token) { ${PURCHASE_FIELDS} } }`, {
      token,
    });
    expect(result.errors).toBeUndefined();
    return result.data!.voucherPayment;
  }

  async function sms(input: { from: string; to: string; text: string; country?: string; messageId?: string }) {
    const result = await t.gql(
      `mutation($input: SimulateInboundSmsInput!) {
        simulateInboundSms(input: $input) { sms { id status flagReason } duplicate userErrors { message } }
      }`,
      { input: { country: 'BG', ...input } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.simulateInboundSms.userErrors).toEqual([]);
    return result.data!.simulateInboundSms.sms as { id: string; status: string; flagReason: string | null };
  }

  /** Sends every SMS of the purchase's instruction from `phone`. */
  async function payAll(bought: { instruction: { shortCode: string; text: string }[] }, phone: string) {
    for (const line of bought.instruction) await sms({ from: phone, to: line.shortCode, text: line.text });
  }

  async function lines(token: string) {
    const result = await t.gql(`query($token: String!) { paymentByToken(token: $token) { sms { state shortCode } } }`, {
      token,
    });
    return result.data!.paymentByToken.sms as { state: string; shortCode: string }[];
  }

  async function available(merchantId: string | null, purpose: LedgerAccountPurpose): Promise<bigint> {
    const account = await ledgerAccount(t.orm.em.fork(), { merchantId, currency: 'USD', purpose });
    return account.balance;
  }

  describe('projects', () => {
    it('are created with validated settings, audited, and hidden from other merchants', async () => {
      const created = await createProject({ countries: ['bg', 'RU'], logoUrl: 'https://example.com/logo.png' });
      expect(created).toMatchObject({
        price: { amount: '4.00', currency: 'USD' },
        pricing: 'PRICE',
        countries: ['BG', 'RU'],
        kind: 'PIN',
        active: true,
        reservationMinutes: 1440,
        stock: { available: 0, reserved: 0, sold: 0, withdrawn: 0, prepaid: 0 },
      });
      expect(created.publicUrl).toMatch(new RegExp(`/p/${created.slug}$`));

      const taken = await t.gql(
        `mutation($input: CreateVoucherProjectInput!) { createVoucherProject(input: $input) { userErrors { code field } } }`,
        { input: { name: 'Again', slug: created.slug, price: '1.00', kind: 'PIN' } },
        owner,
      );
      expect(taken.data!.createVoucherProject.userErrors).toEqual([{ code: 'TAKEN', field: ['input', 'slug'] }]);
      const bad = await t.gql(
        `mutation($input: CreateVoucherProjectInput!) { createVoucherProject(input: $input) { userErrors { code field } } }`,
        { input: { name: 'Bad', slug: 'Not a slug!', price: '-1', kind: 'PIN' } },
        owner,
      );
      expect(bad.data!.createVoucherProject.userErrors[0].field).toEqual(['input', 'slug']);

      expect((await project(created.id, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const list = await t.gql('{ voucherProjects { edges { node { id } } } }', {}, other);
      expect(list.data!.voucherProjects.edges.map((e: any) => e.node.id)).not.toContain(created.id);

      const updated = await t.gql(
        `mutation($input: UpdateVoucherProjectInput!) {
          updateVoucherProject(input: $input) { project { price { amount } countries } userErrors { message } }
        }`,
        { input: { id: created.id, price: '5.00', countries: [] } },
        owner,
      );
      expect(updated.data!.updateVoucherProject).toEqual({
        project: { price: { amount: '5.00' }, countries: [] },
        userErrors: [],
      });
      const audit = await t.orm.em.fork().find(AuditEvent, { targetId: created.id });
      expect(audit.map((a) => a.action).sort()).toEqual(['voucherProject.create', 'voucherProject.update']);
    });
  });

  describe('stock', () => {
    it('adds CSV lines, refusing duplicates and malformed lines by line number', async () => {
      const { id } = await createProject();
      const first = await addVouchers(id, 'code\nAAAA-1111\nBBBB-2222\n\nAAAA-1111\n"CCCC-3333"\nDDDD,EEEE\n');
      expect(first.added).toBe(3);
      expect(first.project.stock.available).toBe(3);
      expect(first.userErrors).toEqual([
        { code: 'TAKEN', field: ['input', 'csv', '5'], message: 'line 5: duplicate of line 2' },
        {
          code: 'INVALID',
          field: ['input', 'csv', '7'],
          message: expect.stringContaining('line 7: expected one code'),
        },
      ]);
      // The same file again: everything is already in stock, nothing is added.
      const again = await addVouchers(id, 'BBBB-2222\nFFFF-4444');
      expect(again.added).toBe(1);
      expect(again.userErrors).toEqual([
        { code: 'TAKEN', field: ['input', 'csv', '1'], message: "line 1: already in this project's stock" },
      ]);

      const login = await createProject({ kind: 'LOGIN' });
      const logins = await addVouchers(login.id, 'login,password\nann,secret-1\nbob\n"eve";"pa;ss"\n');
      expect(logins.added).toBe(2);
      expect(logins.userErrors.map((e: any) => e.field)).toEqual([['input', 'csv', '3']]);
      const links = await createProject({ kind: 'LINK' });
      const linked = await addVouchers(links.id, 'https://example.com/activate/1\nftp://example.com/2\n');
      expect(linked.added).toBe(1);
      expect(linked.userErrors[0].code).toBe('INVALID_URL');

      // Another merchant cannot add to this project; no voucher code ever reaches the audit log.
      const foreign = await t.gql(
        `mutation($input: AddVouchersInput!) { addVouchers(input: $input) { added } }`,
        { input: { projectId: id, csv: 'ZZZZ' } },
        other,
      );
      expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const audit = JSON.stringify(await t.orm.em.fork().find(AuditEvent, {}));
      for (const secret of ['AAAA-1111', 'secret-1', 'pa;ss', 'activate/1']) expect(audit).not.toContain(secret);
      const vouchers = await t.gql(
        `query($id: ID!) { voucherProject(id: $id) { vouchers { edges { node { status preview } } } } }`,
        { id: login.id },
        owner,
      );
      expect(vouchers.data!.voucherProject.vouchers.edges.map((e: any) => e.node.preview).sort()).toEqual([
        '•••',
        '•••',
      ]);
    });

    it('withdraws available vouchers only, never sold or reserved ones', async () => {
      const { id, slug } = await createProject();
      await addVouchers(id, 'W-0001\nW-0002\nW-0003');
      const list = async () =>
        (
          await t.gql(
            `query($id: ID!) { voucherProject(id: $id) { vouchers { edges { node { id status } } } } }`,
            { id },
            owner,
          )
        ).data!.voucherProject.vouchers.edges.map((e: any) => e.node) as { id: string; status: string }[];
      const withdraw = (voucherId: string, auth: Auth = owner) =>
        t.gql(
          `mutation($input: IdInput!) {
            withdrawVoucher(input: $input) { voucher { status } userErrors { code message } }
          }`,
          { input: { id: voucherId } },
          auth,
        );

      const { purchase: bought } = await start(slug);
      await payAll(bought, nextPhone());
      const [sold] = (await list()).filter((v) => v.status === 'SOLD');
      const { purchase: reserving } = await start(slug);
      expect(reserving.state).toBe('RESERVED');
      const [reserved] = (await list()).filter((v) => v.status === 'RESERVED');
      const [free] = (await list()).filter((v) => v.status === 'AVAILABLE');

      expect((await withdraw(free.id, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await withdraw(free.id)).data!.withdrawVoucher).toEqual({
        voucher: { status: 'WITHDRAWN' },
        userErrors: [],
      });
      expect((await withdraw(free.id)).data!.withdrawVoucher.userErrors[0].code).toBe('ALREADY_RESOLVED');
      expect((await withdraw(sold.id)).data!.withdrawVoucher.userErrors[0].message).toContain('sold');
      expect((await withdraw(reserved.id)).data!.withdrawVoucher.userErrors[0].message).toContain(
        'payment in progress',
      );
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({
        available: 0,
        reserved: 1,
        sold: 1,
        withdrawn: 1,
      });
    });
  });

  describe('buying', () => {
    it('offers only the countries that can pay, and the fewest SMS mixing tariffs', async () => {
      // $70 is 7 SMS to RU 8155 ($10.00); Bulgaria would need 27 (its highest is $2.67), more than 20: left out.
      const { slug } = await createProject({ price: '70.00', countries: ['BG', 'RU'] });
      const shop = await t.gql(
        `query($slug: String!) { voucherShop(slug: $slug) { soldOut countries { code messages total { currency } } } }`,
        { slug },
      );
      expect(shop.data!.voucherShop.countries).toEqual([{ code: 'RU', messages: 7, total: { currency: 'RUB' } }]);
      expect((await start(slug, 'BG')).userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'country'] });

      const four = await createProject({ price: '4.00' });
      await addVouchers(four.id, 'X-1');
      const { purchase: bought } = await start(four.slug, 'BG');
      expect(bought.instruction).toEqual([
        expect.objectContaining({ number: 1, shortCode: '1096', text: bought.reference, priceUsd: { amount: '2.72' } }),
        expect.objectContaining({ number: 2, shortCode: '1094', text: bought.reference, priceUsd: { amount: '1.33' } }),
      ]);
      expect(bought.instruction[0].price).toEqual({ amount: '4.90', currency: 'BGN' });
    });

    it('reserves a voucher, turns each SMS received, reveals the voucher once paid and credits the seller', async () => {
      const { id, slug } = await createProject({ price: '4.00' });
      await addVouchers(id, 'PIN-1234-5678\nPIN-0000-0001');
      const before = await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE);

      const { purchase: bought, userErrors } = await start(slug);
      expect(userErrors).toEqual([]);
      expect(bought).toMatchObject({
        status: 'OPEN',
        state: 'RESERVED',
        country: 'BG',
        countryName: 'Bulgaria',
        voucher: null,
      });
      expect(new Date(bought.reservationExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 1, reserved: 1 });
      expect((await lines(bought.token)).map((l) => l.state)).toEqual(['EXPECTED', 'EXPECTED']);

      const phone = nextPhone();
      // The second SMS first: order does not matter.
      expect(await sms({ from: phone, to: '1094', text: bought.reference })).toMatchObject({ status: 'COUNTED' });
      expect((await lines(bought.token)).map((l) => [l.shortCode, l.state])).toEqual([
        ['1096', 'EXPECTED'],
        ['1094', 'RECEIVED'],
      ]);
      const half = await purchase(bought.token);
      expect(half).toMatchObject({
        status: 'PARTIALLY_PAID',
        state: 'RESERVED',
        reservationExpiresAt: null,
        voucher: null,
      });

      // Anti-fraud (V6): another phone, or another country, is kept but not counted.
      expect(await sms({ from: OTHER_PHONE, to: '1096', text: bought.reference })).toMatchObject({
        status: 'FLAGGED',
        flagReason: 'PHONE_MISMATCH',
      });
      expect(await sms({ from: phone, to: '4449', text: bought.reference, country: 'RU' })).toMatchObject({
        status: 'FLAGGED',
        flagReason: 'COUNTRY_MISMATCH',
      });
      expect((await purchase(bought.token)).status).toBe('PARTIALLY_PAID');

      await sms({ from: phone, to: '1096', text: bought.reference });
      const paid = await purchase(bought.token);
      expect(paid).toMatchObject({
        status: 'PAID',
        state: 'SOLD',
        amountReceived: { amount: '4.00' },
        voucher: { kind: 'PIN', code: 'PIN-1234-5678', password: null },
      });
      expect((await lines(bought.token)).filter((l) => l.state === 'RECEIVED')).toHaveLength(2);
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 1, reserved: 0, sold: 1 });
      // The seller is credited the yield of both SMS (133 + 66 cents), through the rails.
      const after = await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE);
      const counted = await t.orm.em
        .fork()
        .find(SmsMessage, { paymentId: (await paymentOf(bought.reference)).id, status: SmsStatus.COUNTED });
      expect(after - before).toBe(counted.reduce((sum, s) => sum + s.yieldUsdMinor!, 0n));

      // The seller's list: the sale, the buyer's phone masked, the voucher as a preview.
      const sales = await t.gql(
        `query($id: ID!) { voucherSales(projectId: $id) { edges { node { reference state payerPhone voucher { preview status } } } } }`,
        { id },
        owner,
      );
      expect(sales.data!.voucherSales.edges[0].node).toEqual({
        reference: bought.reference,
        state: 'SOLD',
        payerPhone: `${phone.slice(0, 4)}******${phone.slice(-3)}`,
        voucher: { preview: expect.stringMatching(/^PI•+78$/), status: 'SOLD' },
      });
      const foreign = await t.gql(`query($id: ID!) { voucherSales(projectId: $id) { totalCount } }`, { id }, other);
      expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');

      // Filtered by when the order started and by state, as the sales list's URL asks; a bad range is refused.
      const RANGED = `query($id: ID!, $from: DateTimeISO, $to: DateTimeISO, $state: VoucherOrderState) {
        voucherSales(projectId: $id, from: $from, to: $to, state: $state) { edges { node { reference } } } }`;
      const hour = 3_600_000;
      const ranged = async (from: number, to: number, state: string | null = null) => {
        const result = await t.gql(
          RANGED,
          { id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), state },
          owner,
        );
        expect(result.errors).toBeUndefined();
        return (result.data!.voucherSales.edges as { node: { reference: string } }[]).map((e) => e.node.reference);
      };
      const now = Date.now();
      expect(await ranged(now - hour, now + hour, 'SOLD')).toContain(bought.reference);
      expect(await ranged(now - hour, now + hour, 'REFUNDED')).not.toContain(bought.reference);
      expect(await ranged(now + hour, now + 2 * hour)).toEqual([]);
      const reversed = await t.gql(
        RANGED,
        { id, from: new Date(now).toISOString(), to: new Date(now - hour).toISOString() },
        owner,
      );
      expect(reversed.errors?.[0]).toMatchObject({
        message: 'from must be before to',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const notADate = await t.gql(RANGED, { id, from: 'yesterday' }, owner);
      expect(notADate.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(notADate.errors?.[0].message).toContain('$from');
    });

    it('says sold out and takes no new payment when the stock is empty', async () => {
      const { id, slug } = await createProject();
      const shop = (s: string) => t.gql(`query($slug: String!) { voucherShop(slug: $slug) { soldOut } }`, { slug: s });
      expect((await shop(slug)).data!.voucherShop.soldOut).toBe(true);
      expect((await start(slug)).userErrors[0]).toMatchObject({
        code: 'SOLD_OUT',
        message: expect.stringContaining('sold out'),
      });
      await addVouchers(id, 'ONLY-ONE');
      expect((await shop(slug)).data!.voucherShop.soldOut).toBe(false);
      expect((await start(slug)).userErrors).toEqual([]);
      expect((await shop(slug)).data!.voucherShop.soldOut).toBe(true);
      expect((await start(slug)).userErrors[0].message).toContain('sold out');
      expect(await t.orm.em.fork().count(VoucherOrder, { projectId: id })).toBe(1);
    });

    it('finds a payment again by payment number and phone, and only so', async () => {
      const { id, slug } = await createProject();
      await addVouchers(id, 'LOOK-UP-1');
      const { purchase: bought } = await start(slug);
      const lookup = (paymentNumber: string, phone: string) =>
        t.gql(
          `query($n: String!, $p: String!) { voucherPaymentLookup(paymentNumber: $n, phone: $p) { token state voucher { code } } }`,
          { n: paymentNumber, p: phone },
        );
      const phone = nextPhone();
      // No SMS yet: the payment has no phone to match.
      expect((await lookup(bought.reference, phone)).data!.voucherPaymentLookup).toBeNull();
      await payAll(bought, phone);
      const typed = `${bought.reference.slice(0, 4).toLowerCase()} ${bought.reference.slice(4)}`;
      expect(await lookup(typed, phone.replace('+359', '+359 '))).toMatchObject({
        data: { voucherPaymentLookup: { token: bought.token, state: 'SOLD', voucher: { code: 'LOOK-UP-1' } } },
      });
      expect((await lookup(bought.reference, OTHER_PHONE)).data!.voucherPaymentLookup).toBeNull();
      expect((await lookup('ZZZZZZZZ', phone)).data!.voucherPaymentLookup).toBeNull();
    });

    it('takes feedback for the seller only', async () => {
      const { id, slug } = await createProject();
      await addVouchers(id, 'FB-1');
      const { purchase: bought } = await start(slug);
      const send = (input: Record<string, unknown>) =>
        t.gql(
          `mutation($input: SendVoucherFeedbackInput!) { sendVoucherFeedback(input: $input) { sent userErrors { code field } } }`,
          { input: { slug, ...input } },
        );
      expect((await send({ message: '  ' })).data!.sendVoucherFeedback.userErrors[0].code).toBe('REQUIRED');
      expect(
        (await send({ message: 'Hi', paymentNumber: 'ZZZZZZZZ' })).data!.sendVoucherFeedback.userErrors[0],
      ).toEqual({
        code: 'NOT_FOUND',
        field: ['input', 'paymentNumber'],
      });
      expect(
        (await send({ message: 'My code does not work', contact: 'me@example.com', paymentNumber: bought.reference }))
          .data!.sendVoucherFeedback,
      ).toEqual({ sent: true, userErrors: [] });
      const query = `query($id: ID) { voucherFeedback(projectId: $id) { edges { node { message contact paymentReference } } } }`;
      expect((await t.gql(query, { id }, owner)).data!.voucherFeedback.edges).toEqual([
        { node: { message: 'My code does not work', contact: 'me@example.com', paymentReference: bought.reference } },
      ]);
      expect((await t.gql(query, { id }, other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await t.gql(query, {}, other)).data!.voucherFeedback.edges).toEqual([]);
    });

    it('prices NET projects by the seller’s yield', async () => {
      // $2.00 for the seller: BG yields 1096 → 133, 1094 → 66, 1092 → 33 cents, so two SMS to 1096 (266 ≥ 200),
      // where a PRICE project at $2.00 needs one ($2.67 ≥ $2.00).
      const yields = await bgYields();
      const { id, slug } = await createProject({ price: '2.00', pricing: 'NET' });
      await addVouchers(id, 'NET-1');
      const { purchase: bought } = await start(slug);
      expect(bought.instruction.map((l: any) => l.shortCode)).toEqual(['1096', '1096']);
      const priced = await createProject({ price: '2.00' });
      await addVouchers(priced.id, 'PRICE-1');
      expect((await start(priced.slug)).purchase.instruction.map((l: any) => l.shortCode)).toEqual(['1096']);

      await payAll(bought, nextPhone());
      const paid = await purchase(bought.token);
      expect(paid).toMatchObject({ status: 'PAID', voucher: { code: 'NET-1' } });
      // What counted is the seller's yield, not the payer's price.
      expect(Math.round(Number(paid.amountReceived.amount) * 100)).toBe(2 * yields['1096']);
    });

    it('builds one instruction table per country, mode and tariff version, and rebuilds when tariffs change', async () => {
      const { id, slug } = await createProject({ price: '3.00', countries: ['DE'] });
      await addVouchers(id, 'T-1\nT-2');
      const quote = async () =>
        (
          await t.gql(
            `query($slug: String!) { voucherShop(slug: $slug) { countries { code messages totalUsd { amount } } } }`,
            { slug },
          )
        ).data!.voucherShop.countries;
      expect(await quote()).toEqual([{ code: 'DE', messages: 1, totalUsd: { amount: '3.25' } }]);
      const built = instructionTableBuilds();
      await quote();
      await quote();
      expect(instructionTableBuilds()).toBe(built);

      // DE 66066 costs $3.25; at $2.90 it no longer reaches $3.00 alone, and 77077 ($5.42) is the one SMS.
      const row = await t.orm.em
        .fork()
        .findOneOrFail(SmsTariff, { countryCode: 'DE', shortCode: '66066', operatorId: null });
      const usd = (minor: bigint) => (Number(minor) / 100).toFixed(2);
      const change = (input: Record<string, string>) =>
        t.gql(
          `mutation($input: UpdateTariffInput!) { updateTariff(input: $input) { userErrors { message } } }`,
          { input: { id: row.id, ...input } },
          admin,
        );
      try {
        const changed = await change({
          priceUsd: '2.90',
          yieldUsd: '1.45',
          operatorShareUsd: '1.16',
          platformFeeUsd: '0.29',
        });
        expect(changed.data!.updateTariff.userErrors).toEqual([]);
        expect(await quote()).toEqual([{ code: 'DE', messages: 1, totalUsd: { amount: '5.42' } }]);
        expect(instructionTableBuilds()).toBe(built + 1);
      } finally {
        await change({
          priceUsd: usd(row.priceUsdMinor),
          yieldUsd: usd(row.yieldUsdMinor),
          operatorShareUsd: usd(row.operatorShareUsdMinor),
          platformFeeUsd: usd(row.platformFeeUsdMinor),
        });
      }
      expect(await quote()).toEqual([{ code: 'DE', messages: 1, totalUsd: { amount: '3.25' } }]);
    });
  });

  describe('reservations', () => {
    it('lapse without an SMS, hold once one arrives, and a later SMS takes a voucher again', async () => {
      const { id, slug } = await createProject({ reservationMinutes: 5 });
      await addVouchers(id, 'R-1\nR-2');
      const { purchase: idle } = await start(slug);
      const { purchase: active } = await start(slug);
      const phone = nextPhone();
      await sms({ from: phone, to: '1096', text: active.reference });

      const now = Date.now();
      expect(await releaseLapsedReservations(t.orm.em, new Date(now + 4 * 60_000))).toBe(0);
      expect(await releaseLapsedReservations(t.orm.em, new Date(now + 6 * 60_000))).toBe(1);
      expect(await releaseLapsedReservations(t.orm.em, new Date(now + 60 * 60_000))).toBe(0);
      expect(await purchase(idle.token)).toMatchObject({ status: 'OPEN', state: 'RELEASED' });
      expect(await purchase(active.token)).toMatchObject({ state: 'RESERVED', reservationExpiresAt: null });
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 1, reserved: 1 });

      // No time limit on paying (V8): the released payment's first SMS takes a voucher again, and it completes.
      const late = nextPhone();
      await payAll(idle, late);
      expect(await purchase(idle.token)).toMatchObject({ status: 'PAID', state: 'SOLD', voucher: { code: 'R-1' } });
      await sms({ from: phone, to: '1094', text: active.reference });
      expect(await purchase(active.token)).toMatchObject({ status: 'PAID', state: 'SOLD', voucher: { code: 'R-2' } });
      await checkInvariants(t.orm);
    });

    it('keeps and flags money that arrives when no voucher is left; the seller assigns one later, or refunds', async () => {
      const { id, slug } = await createProject({ reservationMinutes: 5 });
      await addVouchers(id, 'S-1');
      const { purchase: lapsed } = await start(slug);
      await releaseLapsedReservations(t.orm.em, new Date(Date.now() + 6 * 60_000));
      const { purchase: winner } = await start(slug); // takes the only voucher
      expect(winner.state).toBe('RESERVED');

      const phone = nextPhone();
      await payAll(lapsed, phone);
      expect(await purchase(lapsed.token)).toMatchObject({ status: 'PAID', state: 'UNFULFILLED', voucher: null });
      const replies = await t.gql(`query($p: String!) { simulatorOutbox(phone: $p) { text } }`, { p: phone });
      expect(replies.data!.simulatorOutbox.at(-1).text).toContain('sold out');
      await checkInvariants(t.orm); // an unfulfilled paid payment is allowed, flagged

      const flagged = await t.gql(
        `query($id: ID!) { voucherSales(projectId: $id, state: UNFULFILLED) { edges { node { id reference } } } }`,
        { id },
        owner,
      );
      expect(flagged.data!.voucherSales.edges.map((e: any) => e.node.reference)).toEqual([lapsed.reference]);
      const adminView = await t.gql(`{ voucherSales(state: UNFULFILLED) { edges { node { reference } } } }`, {}, admin);
      expect(adminView.data!.voucherSales.edges.map((e: any) => e.node.reference)).toContain(lapsed.reference);
      const orderId = flagged.data!.voucherSales.edges[0].node.id;
      const resolve = (action: string, auth: Auth = owner) =>
        t.gql(
          `mutation($input: ResolveVoucherOrderInput!) {
            resolveVoucherOrder(input: $input) { order { state resolution } userErrors { code message } }
          }`,
          { input: { id: orderId, action, note: 'sorry' } },
          auth,
        );
      expect((await resolve('ASSIGN_VOUCHER', other)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect((await resolve('ASSIGN_VOUCHER')).data!.resolveVoucherOrder.userErrors[0].message).toContain('add stock');
      await addVouchers(id, 'S-2');
      expect((await resolve('ASSIGN_VOUCHER')).data!.resolveVoucherOrder).toEqual({
        order: { state: 'SOLD', resolution: 'Voucher assigned by the seller: sorry' },
        userErrors: [],
      });
      expect(await purchase(lapsed.token)).toMatchObject({ state: 'SOLD', voucher: { code: 'S-2' } });
      expect((await resolve('REFUND')).data!.resolveVoucherOrder.userErrors[0].code).toBe('ALREADY_RESOLVED');
      await checkInvariants(t.orm);
    });

    it('refunds an unfulfilled payment by reversing its ledger postings', async () => {
      const { id, slug } = await createProject({ reservationMinutes: 5 });
      await addVouchers(id, 'F-1');
      const { purchase: lapsed } = await start(slug);
      await releaseLapsedReservations(t.orm.em, new Date(Date.now() + 6 * 60_000));
      await start(slug);
      const before = await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE);
      await payAll(lapsed, nextPhone());
      expect(await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE)).toBeGreaterThan(before);
      const order = await t.orm.em
        .fork()
        .findOneOrFail(VoucherOrder, { paymentId: (await paymentOf(lapsed.reference)).id });
      expect(order.state).toBe(VoucherOrderState.UNFULFILLED);
      const refunded = await t.gql(
        `mutation($input: ResolveVoucherOrderInput!) { resolveVoucherOrder(input: $input) { order { state } userErrors { message } } }`,
        { input: { id: order.id, action: 'REFUND' } },
        admin,
      );
      expect(refunded.data!.resolveVoucherOrder).toEqual({ order: { state: 'REFUNDED' }, userErrors: [] });
      expect((await purchase(lapsed.token)).status).toBe('REFUNDED');
      expect(await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE)).toBe(before);
      await checkInvariants(t.orm);
    });

    it(`caps one address's unpaid reservations in a shop at ${MAX_UNPAID_RESERVATIONS_PER_SOURCE}: a further start releases its oldest`, async () => {
      const { id, slug } = await createProject();
      await addVouchers(id, ['C-1', 'C-2', 'C-3', 'C-4', 'C-5', 'C-6', 'C-7'].join('\n'));
      const buyer = '203.0.113.50';
      // A reservation one SMS was counted on is the buyer's, whatever the cap.
      const { purchase: paying } = await start(slug, 'BG', buyer);
      const phone = nextPhone();
      await sms({ from: phone, to: '1096', text: paying.reference });
      const unpaid = [];
      for (let i = 0; i < MAX_UNPAID_RESERVATIONS_PER_SOURCE; i++)
        unpaid.push((await start(slug, 'BG', buyer)).purchase);
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 3, reserved: 4 });

      // One more from the same address: its oldest unpaid reservation goes back, so the stock it holds stays capped.
      const { purchase: newest, userErrors } = await start(slug, 'BG', buyer);
      expect(userErrors).toEqual([]);
      expect(newest.state).toBe('RESERVED');
      expect(await purchase(unpaid[0].token)).toMatchObject({ status: 'OPEN', state: 'RELEASED' });
      for (const kept of [paying, ...unpaid.slice(1)]) expect((await purchase(kept.token)).state).toBe('RESERVED');
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 3, reserved: 4 });
      // An IPv6 buyer is one source per /64; another address is not touched by this one's cap.
      await start(slug, 'BG', '2001:db8:5:6::1');
      await start(slug, 'BG', '2001:db8:5:6::2');
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 1, reserved: 6 });
      for (let i = 0; i < 5; i++) await start(slug, 'BG', buyer);
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 1, reserved: 6 });

      // The released payment still takes money: its SMS take a voucher again while one is left.
      await payAll(unpaid[0], nextPhone());
      expect(await purchase(unpaid[0].token)).toMatchObject({ status: 'PAID', state: 'SOLD' });
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 0, reserved: 6, sold: 1 });
      await checkInvariants(t.orm);
    });
  });

  describe('prepaid settlement', () => {
    it('pays the seller at once, and the block’s sales then credit the platform, not the seller again', async () => {
      const { id, slug } = await createProject({ price: '4.00' });
      await addVouchers(id, 'P-1\nP-2\nP-3');
      const prepay = (input: Record<string, unknown>, auth: Auth = admin) =>
        t.gql(
          `mutation($input: PrepayVoucherBlockInput!) {
            prepayVoucherBlock(input: $input) { block { count unitPrice { amount } total { amount } transferId } userErrors { code message } }
          }`,
          { input: { projectId: id, ...input } },
          auth,
        );
      expect((await prepay({ count: 1 }, owner)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await prepay({ count: 4 })).data!.prepayVoucherBlock.userErrors[0].message).toContain('only 3');

      const sellerBefore = await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE);
      const blocked = await prepay({ count: 2, unitPrice: '3.50' });
      expect(blocked.data!.prepayVoucherBlock).toMatchObject({
        block: { count: 2, unitPrice: { amount: '3.50' }, total: { amount: '7.00' } },
        userErrors: [],
      });
      const sellerPrepaid = await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE);
      expect(sellerPrepaid - sellerBefore).toBe(700n);
      expect((await project(id)).data!.voucherProject.stock).toMatchObject({ available: 3, prepaid: 2 });

      // A prepaid voucher belongs to the platform now: the seller cannot withdraw it.
      const vouchers = await t.orm.em.fork().find(Voucher, { projectId: id }, { orderBy: { id: 'asc' } });
      expect(vouchers.map((v) => v.prepaidBlockId !== null)).toEqual([true, true, false]);
      const withdrawn = await t.gql(
        `mutation($input: IdInput!) { withdrawVoucher(input: $input) { userErrors { message } } }`,
        { input: { id: vouchers[0].id } },
        owner,
      );
      expect(withdrawn.data!.withdrawVoucher.userErrors[0].message).toContain('prepaid');

      // Selling a prepaid voucher: the rails credit the seller the yield, and it moves on to the platform.
      const platformBefore = await available(null, LedgerAccountPurpose.PLATFORM_FEES);
      const { purchase: bought } = await start(slug);
      await payAll(bought, nextPhone());
      expect(await purchase(bought.token)).toMatchObject({ state: 'SOLD', voucher: { code: 'P-1' } });
      const counted = await t.orm.em
        .fork()
        .find(SmsMessage, { paymentId: (await paymentOf(bought.reference)).id, status: SmsStatus.COUNTED });
      const yieldTotal = counted.reduce((sum, s) => sum + s.yieldUsdMinor!, 0n);
      const fees = counted.reduce((sum, s) => sum + s.platformFeeUsdMinor!, 0n);
      expect(await available(t.demo.merchantId, LedgerAccountPurpose.MERCHANT_AVAILABLE)).toBe(sellerPrepaid);
      expect((await available(null, LedgerAccountPurpose.PLATFORM_FEES)) - platformBefore).toBe(yieldTotal + fees);
      await checkInvariants(t.orm);
    });
  });

  async function paymentOf(reference: string): Promise<Payment> {
    return t.orm.em.fork().findOneOrFail(Payment, { reference });
  }

  async function bgYields(): Promise<Record<string, number>> {
    const result = await t.gql(`{ effectiveTariffs(country: "BG") { shortCode yieldUsd { amount } } }`);
    return Object.fromEntries(
      result.data!.effectiveTariffs.map((r: any) => [r.shortCode, Math.round(Number(r.yieldUsd.amount) * 100)]),
    );
  }

  it('seeds one demo project with stock, once', async () => {
    await seedDemo(t.orm);
    const projects = await t.orm.em.fork().find(VoucherProject, { slug: DEMO_VOUCHER_SLUG });
    expect(projects).toHaveLength(1);
    expect(projects[0].merchantId).toBe(t.demo.merchantId);
    expect(await t.orm.em.fork().count(Voucher, { projectId: projects[0].id, status: VoucherStatus.AVAILABLE })).toBe(
      20,
    );
  });

  it('keeps the states consistent (I5) after all of the above', async () => {
    await checkInvariants(t.orm);
    expect(
      await t.orm.em.fork().count(Payment, { status: PaymentStatus.PAID, kind: 'VOUCHER' as never }),
    ).toBeGreaterThan(0);
    expect(await t.orm.em.fork().count(Voucher, { status: VoucherStatus.SOLD })).toBeGreaterThan(0);
  });
});
