import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { parseCsv } from './tariff-csv';

/*
 * Partners read the full tariff table and merchants their yield per tariff, through the real API on a real database.
 * The yield is proven against settlement itself: a real SMS to the demo access-code service ("ACCESS" to 1092,
 * seeded) is paid, and its payment's breakdown must be the row's.
 */

const TABLE = `{ tariffTable {
  countryCode shortCode country { name currency } operator { name }
  price { amount currency } priceUsd { amount } yieldUsd { amount } operatorShareUsd { amount } platformFeeUsd { amount }
} }`;
const YIELDS = `query($country: String, $merchantId: ID) {
  tariffYields(country: $country, merchantId: $merchantId) {
    feePlanName
    rows {
      tariffId country { code name } operator shortCode price { amount currency }
      gross { amount currency } operatorShare { amount currency } platformFee { amount currency } net { amount currency }
    }
  }
}`;
const SIMULATE = `mutation($input: SimulateInboundSmsInput!) {
  simulateInboundSms(input: $input) { sms { id status } userErrors { message } }
}`;
const PAYMENT = `query($id: ID!) {
  payment(id: $id) { status breakdown { gross { amount currency } operatorShare { amount currency }
    platformFee { amount currency } net { amount currency } } }
}`;

/** Minor units of a decimal string ("2.67" → 267n), to add amounts without floats. */
const cents = (amount: string) => BigInt(amount.replace('.', ''));

describe('tariff table and yields for merchants and partners', () => {
  let t: TestApp;
  let admin: Auth;
  let owner: Auth;
  let readKey: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminAuth();
    owner = await t.ownerAuth();
    const key = await t.gql(
      'mutation { createApiKey(input: { name: "partner feed", scopes: ["read"] }) { secret userErrors { message } } }',
      {},
      owner,
    );
    expect(key.data!.createApiKey.userErrors).toEqual([]);
    readKey = { apiKey: key.data!.createApiKey.secret };
  });
  afterAll(async () => t?.close());

  it('gives a merchant user and a read-only API key the same full table and CSV an admin gets', async () => {
    const adminCsv: string = (await t.gql('{ exportTariffsCsv }', {}, admin)).data!.exportTariffsCsv;
    const [header, ...lines] = parseCsv(adminCsv).map((record) => record.fields);
    expect(header).toEqual([
      'country',
      'country_name',
      'currency',
      'operator',
      'short_code',
      'price',
      'price_usd',
      'yield_usd',
      'operator_share_usd',
      'platform_fee_usd',
    ]);
    expect(lines.length).toBeGreaterThan(30);
    for (const auth of [owner, readKey]) {
      const csv = await t.gql('{ exportTariffsCsv }', {}, auth);
      expect(csv.errors).toBeUndefined();
      expect(csv.data!.exportTariffsCsv).toBe(adminCsv);

      const table = await t.gql(TABLE, {}, auth);
      expect(table.errors).toBeUndefined();
      // The GraphQL table is the CSV's rows, column for column and in the same order.
      const asCsv = table.data!.tariffTable.map((row: any) => [
        row.countryCode,
        row.country.name,
        row.price.currency,
        row.operator?.name ?? '',
        row.shortCode,
        row.price.amount,
        row.priceUsd.amount,
        row.yieldUsd.amount,
        row.operatorShareUsd.amount,
        row.platformFeeUsd.amount,
      ]);
      expect(asCsv).toEqual(lines);
    }
  });

  it('refuses the table, the CSV and the yields to anonymous callers, and imports to merchants', async () => {
    for (const query of [TABLE, '{ exportTariffsCsv }', YIELDS]) {
      expect((await t.gql(query, {})).errors?.[0].extensions?.code, query).toBe('UNAUTHENTICATED');
    }
    const header = 'country,country_name,currency,operator,short_code,price,price_usd,yield_usd,operator_share_usd';
    for (const auth of [owner, readKey]) {
      const imported = await t.gql(
        'mutation($input: ImportTariffsCsvInput!) { importTariffsCsv(input: $input) { userErrors { message } } }',
        { input: { csv: `${header},platform_fee_usd\nXZ,Nowhere,USD,,1,1.00,1.00,1.00,0.00,0.00`, replace: false } },
        auth,
      );
      expect(imported.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await t.gql('{ countries { code } }', {}, admin)).data!.countries.map((c: any) => c.code)).not.toContain(
      'XZ',
    );
  });

  it('lists a merchant’s yields per tariff, filtered by country, with typed errors for a bad country', async () => {
    const all = await t.gql(YIELDS, {}, owner);
    expect(all.errors).toBeUndefined();
    expect(all.data!.tariffYields.feePlanName).toBeTruthy();
    const rows = all.data!.tariffYields.rows;
    expect(new Set(rows.map((row: any) => row.country.code)).size).toBeGreaterThanOrEqual(10);
    for (const row of rows) {
      expect(cents(row.operatorShare.amount) + cents(row.platformFee.amount) + cents(row.net.amount)).toBe(
        cents(row.gross.amount),
      );
    }

    const bulgaria = (await t.gql(YIELDS, { country: 'bg' }, readKey)).data!.tariffYields.rows;
    expect(bulgaria.map((row: any) => [row.shortCode, row.operator, row.price.amount, row.gross.amount])).toEqual([
      ['1092', null, '1.20', '0.67'],
      ['1094', null, '2.40', '1.33'],
      ['1096', null, '4.80', '2.67'],
      ['1096', 'Yettel', '4.90', '2.72'],
    ]);
    expect(bulgaria).toEqual(rows.filter((row: any) => row.country.code === 'BG'));

    const code = async (variables: Record<string, unknown>, auth: Auth) =>
      (await t.gql(YIELDS, variables, auth)).errors?.[0].extensions?.code;
    expect(await code({ country: 'B1' }, owner)).toBe('BAD_USER_INPUT');
    expect(await code({ country: 'QQ' }, owner)).toBe('NOT_FOUND');
    expect(await code({}, admin)).toBe('BAD_USER_INPUT');
    expect(await code({ merchantId: 'mch_someone_else' }, owner)).toBe('NOT_FOUND');
    const forDemo = await t.gql(YIELDS, { country: 'BG', merchantId: t.demo.merchantId }, admin);
    expect(forDemo.data!.tariffYields.rows).toEqual(bulgaria);
  });

  it('shows the net a real SMS payment settles to', async () => {
    const yields = (await t.gql(YIELDS, { country: 'BG' }, owner)).data!.tariffYields.rows;
    const row = yields.find((r: any) => r.shortCode === '1092' && r.operator === null);
    const sent = await t.gql(SIMULATE, {
      input: { from: '+359888770001', to: '1092', text: 'ACCESS', country: 'BG', operator: 'A1' },
    });
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.simulateInboundSms.userErrors).toEqual([]);
    expect(sent.data!.simulateInboundSms.sms.status).toBe('COUNTED');
    const feed = await t.gql(
      '{ smsMessages(first: 20, direction: IN) { edges { node { id paymentId } } } }',
      {},
      owner,
    );
    const sms = feed.data!.smsMessages.edges.find((edge: any) => edge.node.id === sent.data!.simulateInboundSms.sms.id);
    const paid = await t.gql(PAYMENT, { id: sms.node.paymentId }, owner);
    expect(paid.data!.payment.status).toBe('PAID');
    expect(paid.data!.payment.breakdown).toEqual({
      gross: row.gross,
      operatorShare: row.operatorShare,
      platformFee: row.platformFee,
      net: row.net,
    });
  });
});
