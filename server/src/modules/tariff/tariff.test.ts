import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { countriesServing, effectiveTariffs, singleSmsQuote } from './tariff.service';
import { SEED_COUNTRIES, seedTariffCatalogue } from './tariff.seed';

const HEADER =
  'country,country_name,currency,operator,short_code,price,price_usd,yield_usd,operator_share_usd,platform_fee_usd';

/**
 * Test countries use ISO's user-assigned codes (XA…), so they never collide with the seeded catalogue:
 * XA tops out at $5.50, XB yields well, XC differs by operator on one short code.
 */
const TEST_CSV = [
  HEADER,
  'XA,Testland A,EUR,,100,1.00,1.10,0.50,0.50,0.10',
  'XA,Testland A,EUR,,200,2.00,2.20,1.00,1.00,0.20',
  'XA,Testland A,EUR,,300,5.00,5.50,2.50,2.50,0.50',
  'XB,Testland B,USD,,110,3.00,3.00,2.00,0.70,0.30',
  'XB,Testland B,USD,,120,1.50,1.50,0.60,0.75,0.15',
  'XC,Testland C,GBP,,500,2.00,2.50,1.20,1.05,0.25',
  'XC,Testland C,GBP,"Op ""A"", Ltd",500,2.10,2.60,1.00,1.34,0.26',
  'XC,Testland C,GBP,Op B,500,2.00,2.50,1.30,0.95,0.25',
].join('\n');

const IMPORT = `mutation($input: ImportTariffsCsvInput!) {
  importTariffsCsv(input: $input) {
    summary { rows created updated unchanged deactivated countriesCreated countriesUpdated }
    userErrors { code field message }
  }
}`;
const EXPORT = '{ exportTariffsCsv }';
const QUOTE = `query($amount: String!, $mode: SmsQuoteMode) {
  smsQuote(amount: $amount, mode: $mode) {
    amount { amount currency } mode
    options { country { code currency } tariff { shortCode price { amount currency } priceUsd { amount } yieldUsd { amount } variesByOperator } }
  }
}`;
const TARIFF_FIELDS = `id shortCode active countryCode operator { name } price { amount currency } priceUsd { amount }
  yieldUsd { amount } operatorShareUsd { amount } platformFeeUsd { amount }`;
const CREATE_TARIFF = `mutation($input: CreateTariffInput!) {
  createTariff(input: $input) { tariff { ${TARIFF_FIELDS} } userErrors { code field message } }
}`;
const UPDATE_TARIFF = `mutation($input: UpdateTariffInput!) {
  updateTariff(input: $input) { tariff { ${TARIFF_FIELDS} } userErrors { code field message } }
}`;
const DEACTIVATE_TARIFF = `mutation($input: IdInput!) {
  deactivateTariff(input: $input) { tariff { id active } userErrors { code message } }
}`;

describe('tariff catalogue', () => {
  let t: TestApp;
  let admin: Auth;
  let owner: Auth;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminAuth();
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  /** The quote's options for the test countries only, as "XA:200" (country and short code). */
  async function quote(amount: string, mode: 'PRICE' | 'YIELD') {
    const result = await t.gql(QUOTE, { amount, mode });
    expect(result.errors).toBeUndefined();
    return result.data!.smsQuote.options.filter((option: any) => option.country.code.startsWith('X'));
  }

  it('seeds at least ten countries, each with 3 to 12 tariffs, and seeding again changes nothing', async () => {
    const countries = (await t.gql('{ countries { code name currency active } }')).data!.countries;
    expect(countries.length).toBeGreaterThanOrEqual(10);
    const counts: Record<string, number> = {};
    for (const country of countries) {
      const tariffs = (await t.gql('query($c: String!) { tariffs(country: $c) { id } }', { c: country.code })).data!
        .tariffs;
      counts[country.code] = tariffs.length;
      expect(tariffs.length, country.code).toBeGreaterThanOrEqual(3);
      expect(tariffs.length, country.code).toBeLessThanOrEqual(12);
    }
    expect(Object.keys(counts).sort()).toEqual(SEED_COUNTRIES.map((c) => c.code).sort());

    const before = (await t.gql(EXPORT, {}, admin)).data!.exportTariffsCsv;
    const em = t.orm.em.fork();
    await seedTariffCatalogue(em);
    await em.flush();
    expect((await t.gql(EXPORT, {}, admin)).data!.exportTariffsCsv).toBe(before);
  });

  it('imports a CSV: countries, operators and tariffs, all checked and applied together', async () => {
    const result = await t.gql(IMPORT, { input: { csv: TEST_CSV } }, admin);
    expect(result.data?.importTariffsCsv).toEqual({
      summary: {
        rows: 8,
        created: 8,
        updated: 0,
        unchanged: 0,
        deactivated: 0,
        countriesCreated: 3,
        countriesUpdated: 0,
      },
      userErrors: [],
    });
    const audit = await t.gql('{ auditEvents(action: "tariff.importCsv") { edges { node { details } } } }', {}, admin);
    expect(audit.data?.auditEvents.edges[0].node.details).toMatchObject({ rows: 8, created: 8, replace: false });
  });

  it('folds operator differences to the highest price and the lowest yield and price', async () => {
    const em = t.orm.em.fork();
    expect(await effectiveTariffs(em, 'XC')).toEqual([
      {
        countryCode: 'XC',
        shortCode: '500',
        currency: 'GBP',
        priceMinor: 210n,
        priceUsdMinor: 260n,
        lowestPriceUsdMinor: 250n,
        yieldUsdMinor: 100n,
        variesByOperator: true,
      },
    ]);
    // Op B yields $1.30 but Op "A" only $1.00: a merchant asking for $1.01 net cannot be served in XC.
    expect((await quote('1.00', 'YIELD')).map((o: any) => o.country.code)).toContain('XC');
    expect((await quote('1.01', 'YIELD')).map((o: any) => o.country.code)).not.toContain('XC');
    // A payer on Op B pays $2.50: an amount of $2.55 the payer must pay cannot be asked of every XC payer.
    expect((await quote('2.55', 'PRICE')).map((o: any) => o.country.code)).not.toContain('XC');
    const [xc] = (await quote('2.50', 'PRICE')).filter((o: any) => o.country.code === 'XC');
    expect(xc.tariff).toEqual({
      shortCode: '500',
      price: { amount: '2.10', currency: 'GBP' },
      priceUsd: { amount: '2.60' },
      yieldUsd: { amount: '1.00' },
      variesByOperator: true,
    });
    // The seed's Tele2 row in Russia costs more than the others: the quote asks every payer for the higher price.
    const ru = (await t.gql(QUOTE, { amount: '10.00', mode: 'PRICE' })).data!.smsQuote.options.find(
      (o: any) => o.country.code === 'RU',
    );
    expect(ru.tariff).toMatchObject({ shortCode: '8155', price: { amount: '930.00', currency: 'RUB' } });
    expect(ru.tariff.yieldUsd.amount).toBe('4.50');
  });

  it('quotes the cheapest reaching tariff per country, by price or by yield, leaving out countries that cannot reach', async () => {
    const summary = (options: any[]) => options.map((o) => `${o.country.code}:${o.tariff.shortCode}`);
    expect(summary(await quote('1.00', 'PRICE'))).toEqual(['XA:100', 'XB:120', 'XC:500']);
    expect(summary(await quote('2.00', 'PRICE'))).toEqual(['XA:200', 'XB:110', 'XC:500']);
    // By yield the same amount needs dearer SMS: XA's $2.20 tariff yields only $1.00, XC never yields $2.
    expect(summary(await quote('2.00', 'YIELD'))).toEqual(['XA:300', 'XB:110']);
    // Seed B4: above a country's highest tariff the country is left out.
    expect(summary(await quote('5.50', 'PRICE'))).toEqual(['XA:300']);
    expect(summary(await quote('5.51', 'PRICE'))).toEqual([]);

    const all = await t.gql(QUOTE, { amount: '6.00', mode: 'PRICE' });
    const codes = all.data!.smsQuote.options.map((o: any) => o.country.code);
    expect(codes).toEqual(expect.arrayContaining(['RU', 'KZ', 'GB', 'PL']));
    expect(codes).not.toContain('IN');
    expect(codes).not.toContain('DE');
    expect(all.data!.smsQuote.amount).toEqual({ amount: '6.00', currency: 'USD' });

    const em = t.orm.em.fork();
    const serving = await countriesServing(em, { amountUsdMinor: 600n, mode: 'PRICE' });
    expect(serving.map((c) => c.code).sort()).toEqual([...codes].sort());
    const byService = await singleSmsQuote(em, { amountUsdMinor: 200n, mode: 'YIELD' });
    expect(byService.filter((o) => o.country.code === 'XB')[0].tariff.shortCode).toBe('110');
  });

  it('answers malformed amounts and unknown countries with typed errors, without a login', async () => {
    const code = async (query: string, variables: Record<string, unknown>) =>
      (await t.gql(query, variables)).errors?.[0].extensions?.code;
    expect(await code(QUOTE, { amount: '1.005' })).toBe('BAD_USER_INPUT');
    expect(await code(QUOTE, { amount: 'ten' })).toBe('BAD_USER_INPUT');
    expect(await code(QUOTE, { amount: '0' })).toBe('BAD_USER_INPUT');
    expect(await code('{ smsQuote(amount: "1", currency: "EUR") { mode } }', {})).toBe('BAD_USER_INPUT');
    expect(await code('{ tariffs(country: "QQ") { id } }', {})).toBe('NOT_FOUND');
    expect(await code('{ tariffs(country: "Q1") { id } }', {})).toBe('BAD_USER_INPUT');
    expect(await code('{ effectiveTariffs(country: "QQ") { shortCode } }', {})).toBe('NOT_FOUND');
    expect(await code('{ countries(includeInactive: true) { code } }', {})).toBe('FORBIDDEN');
    const effective = await t.gql('{ effectiveTariffs(country: "xa") { shortCode priceUsd { amount } } }');
    expect(effective.data?.effectiveTariffs.map((e: any) => e.shortCode)).toEqual(['100', '200', '300']);
  });

  it('shows operator shares and platform fees to logged-in callers, not to anonymous ones', async () => {
    const query = `{ tariffs(country: "XC") { operator { name } operatorShareUsd { amount } platformFeeUsd { amount } } }`;
    const asAdmin = (await t.gql(query, {}, admin)).data!.tariffs;
    expect((await t.gql(query, {}, owner)).data!.tariffs).toEqual(asAdmin);
    expect(asAdmin).toEqual([
      { operator: null, operatorShareUsd: { amount: '1.05' }, platformFeeUsd: { amount: '0.25' } },
      { operator: { name: 'Op "A", Ltd' }, operatorShareUsd: { amount: '1.34' }, platformFeeUsd: { amount: '0.26' } },
      { operator: { name: 'Op B' }, operatorShareUsd: { amount: '0.95' }, platformFeeUsd: { amount: '0.25' } },
    ]);
    const anonymous = (await t.gql(query, {})).data!.tariffs;
    expect(anonymous.every((row: any) => row.operatorShareUsd === null && row.platformFeeUsd === null)).toBe(true);
  });

  it('lets admins create, update and deactivate, with typed errors and audit events', async () => {
    const country = await t.gql(
      'mutation($input: CreateCountryInput!) { createCountry(input: $input) { country { code name currency active } userErrors { code field } } }',
      { input: { code: 'xd', name: 'Testland D', currency: 'jpy' } },
      admin,
    );
    expect(country.data?.createCountry).toEqual({
      country: { code: 'XD', name: 'Testland D', currency: 'JPY', active: true },
      userErrors: [],
    });
    const again = await t.gql(
      'mutation($input: CreateCountryInput!) { createCountry(input: $input) { country { code } userErrors { code field } } }',
      { input: { code: 'XD', name: 'Again', currency: 'XYZ' } },
      admin,
    );
    expect(again.data?.createCountry.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'currency'] }]);

    const input = {
      country: 'XD',
      operator: 'Docomo',
      shortCode: '900',
      price: '500',
      priceUsd: '3.30',
      yieldUsd: '1.50',
      operatorShareUsd: '1.50',
      platformFeeUsd: '0.20',
    };
    const unbalanced = await t.gql(CREATE_TARIFF, { input }, admin);
    expect(unbalanced.data?.createTariff).toMatchObject({
      tariff: null,
      userErrors: [{ code: 'INVALID_AMOUNT', field: ['input', 'priceUsd'] }],
    });
    expect(unbalanced.data?.createTariff.userErrors[0].message).toMatch(/must equal .*3\.20/);
    const fractionalYen = await t.gql(CREATE_TARIFF, { input: { ...input, price: '500.5' } }, admin);
    expect(fractionalYen.data?.createTariff.userErrors).toMatchObject([
      { code: 'INVALID_AMOUNT', field: ['input', 'price'] },
    ]);

    const created = await t.gql(CREATE_TARIFF, { input: { ...input, priceUsd: '3.20' } }, admin);
    const tariff = created.data?.createTariff.tariff;
    expect(tariff).toMatchObject({
      shortCode: '900',
      active: true,
      operator: { name: 'Docomo' },
      price: { amount: '500', currency: 'JPY' },
      priceUsd: { amount: '3.20' },
      yieldUsd: { amount: '1.50' },
    });
    const duplicate = await t.gql(CREATE_TARIFF, { input: { ...input, operator: 'docomo', priceUsd: '3.20' } }, admin);
    expect(duplicate.data?.createTariff.userErrors).toMatchObject([{ code: 'TAKEN', field: ['input', 'shortCode'] }]);

    const updated = await t.gql(
      UPDATE_TARIFF,
      { input: { id: tariff.id, yieldUsd: '1.60', operatorShareUsd: '1.40' } },
      admin,
    );
    expect(updated.data?.updateTariff.tariff).toMatchObject({
      yieldUsd: { amount: '1.60' },
      operatorShareUsd: { amount: '1.40' },
    });
    const badUpdate = await t.gql(UPDATE_TARIFF, { input: { id: tariff.id, yieldUsd: '1.70' } }, admin);
    expect(badUpdate.data?.updateTariff.userErrors).toMatchObject([{ code: 'INVALID_AMOUNT' }]);

    const currencyChange = await t.gql(
      'mutation($input: UpdateCountryInput!) { updateCountry(input: $input) { country { currency } userErrors { code field message } } }',
      { input: { code: 'XD', currency: 'USD' } },
      admin,
    );
    expect(currencyChange.data?.updateCountry.userErrors).toMatchObject([
      { code: 'INVALID', field: ['input', 'currency'] },
    ]);

    expect((await t.gql(DEACTIVATE_TARIFF, { input: { id: tariff.id } }, admin)).data?.deactivateTariff).toEqual({
      tariff: { id: tariff.id, active: false },
      userErrors: [],
    });
    expect(
      (await t.gql(DEACTIVATE_TARIFF, { input: { id: tariff.id } }, admin)).data?.deactivateTariff.userErrors,
    ).toMatchObject([{ code: 'ALREADY_RESOLVED' }]);
    expect((await t.gql('{ effectiveTariffs(country: "XD") { shortCode } }')).data?.effectiveTariffs).toEqual([]);
    const inactive = await t.gql('{ tariffs(country: "XD", includeInactive: true) { id active } }', {}, admin);
    expect(inactive.data?.tariffs).toEqual([{ id: tariff.id, active: false }]);

    const actions = (
      await t.gql('{ auditEvents(first: 50) { edges { node { action targetId details } } } }', {}, admin)
    ).data!.auditEvents.edges.map((edge: any) => edge.node);
    expect(actions.map((a: any) => a.action)).toEqual(
      expect.arrayContaining(['tariff.createCountry', 'tariff.create', 'tariff.update', 'tariff.deactivate']),
    );
    expect(actions.find((a: any) => a.action === 'tariff.create').details).toMatchObject({
      shortNumber: '900',
      priceUsd: '3.20',
    });
  });

  it('refuses every catalogue edit to merchants (FORBIDDEN) and anonymous callers', async () => {
    const attempts: [string, Record<string, unknown>][] = [
      [
        'mutation($input: CreateCountryInput!) { createCountry(input: $input) { country { code } } }',
        { input: { code: 'XE', name: 'X', currency: 'USD' } },
      ],
      [
        'mutation($input: UpdateCountryInput!) { updateCountry(input: $input) { country { code } } }',
        { input: { code: 'XA', active: false } },
      ],
      [
        CREATE_TARIFF,
        {
          input: {
            country: 'XA',
            shortCode: '999',
            price: '1',
            priceUsd: '1',
            yieldUsd: '1',
            operatorShareUsd: '0',
            platformFeeUsd: '0',
          },
        },
      ],
      [UPDATE_TARIFF, { input: { id: 'trf_x', active: false } }],
      [DEACTIVATE_TARIFF, { input: { id: 'trf_x' } }],
      [IMPORT, { input: { csv: TEST_CSV, replace: true } }],
    ];
    for (const [auth, code] of [
      [owner, 'FORBIDDEN'],
      [{}, 'UNAUTHENTICATED'],
    ] as const) {
      for (const [query, variables] of attempts) {
        const result = await t.gql(query, variables, auth);
        expect(result.errors?.[0].extensions?.code, query).toBe(code);
      }
    }
    expect((await t.gql('{ countries { code } }', {}, admin)).data?.countries.map((c: any) => c.code)).toContain('XA');
  });

  it('round-trips the catalogue exactly through export and import', async () => {
    const exported: string = (await t.gql(EXPORT, {}, admin)).data!.exportTariffsCsv;
    expect(exported.split('\r\n')[0]).toBe(HEADER);
    expect(exported).toContain('XC,Testland C,GBP,"Op ""A"", Ltd",500,2.10,2.60,1.00,1.34,0.26\r\n');
    const rows = exported.trimEnd().split('\r\n').length - 1;

    // Drift from the exported state: change one tariff, deactivate another, add a third.
    const xa = (await t.gql('{ tariffs(country: "XA") { id shortCode } }', {}, admin)).data!.tariffs;
    await t.gql(UPDATE_TARIFF, { input: { id: xa[0].id, price: '1.05' } }, admin);
    await t.gql(DEACTIVATE_TARIFF, { input: { id: xa[1].id } }, admin);
    const extra = {
      country: 'XA',
      shortCode: '777',
      price: '9',
      priceUsd: '9.90',
      yieldUsd: '4',
      operatorShareUsd: '5',
      platformFeeUsd: '0.90',
    };
    expect((await t.gql(CREATE_TARIFF, { input: extra }, admin)).data?.createTariff.userErrors).toEqual([]);
    expect((await t.gql(EXPORT, {}, admin)).data!.exportTariffsCsv).not.toBe(exported);

    const restored = await t.gql(IMPORT, { input: { csv: exported, replace: true } }, admin);
    expect(restored.data?.importTariffsCsv).toEqual({
      summary: {
        rows,
        created: 0,
        updated: 2,
        unchanged: rows - 2,
        deactivated: 1,
        countriesCreated: 0,
        countriesUpdated: 0,
      },
      userErrors: [],
    });
    expect((await t.gql(EXPORT, {}, admin)).data!.exportTariffsCsv).toBe(exported);

    const again = await t.gql(IMPORT, { input: { csv: exported, replace: true } }, admin);
    expect(again.data?.importTariffsCsv.summary).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: rows,
      deactivated: 0,
    });
  });

  it('reports every bad line of a CSV and changes nothing', async () => {
    const before = (await t.gql(EXPORT, {}, admin)).data!.exportTariffsCsv;
    const countriesBefore = (await t.gql('{ countries(includeInactive: true) { code } }', {}, admin)).data!.countries;
    const csv = [
      HEADER,
      'XF,Testland F,EUR,,100,1.00,1.10,0.50,0.50,0.10', // 2: fine, but must not be created
      'XF,Testland F,EUR,,101,1.00,1.10,0.50,0.50,0.20', // 3: parts add up to 1.20
      'X1,Testland F,EUR,,102,1.00,1.10,0.50,0.50,0.10', // 4: bad country code
      '',
      'XF,Testland F,EUR,,103,1.00,1.10,0.50,0.50', // 6: a field short
      'XF,Testland F,EUR,,100,1.00,1.10,0.50,0.50,0.10', // 7: same as line 2
      'XF,Testland F,XYZ,,104,1.00,1.10,0.50,0.50,0.10', // 8: unknown currency
      'XF,Testland F,EUR,,105,1.005,1.10,0.50,0.50,0.10', // 9: too many decimals
      'XF,Testland Eff,EUR,,106,1.00,1.10,0.50,0.50,0.10', // 10: disagrees with line 2
      'XF,Testland F,EUR,=cmd(),107,1.00,1.10,0.50,0.50,0.10', // 11: formula-like name
      'XF,Testland F,EUR,,12,1.00,1.10,0.50,0.50,0.10', // 12: short code too short
      'XA,Testland A,USD,,100,1.10,1.10,0.50,0.50,0.10', // 13: XA is priced in EUR and has other tariffs
    ].join('\r\n');
    const result = await t.gql(IMPORT, { input: { csv } }, admin);
    const { summary, userErrors } = result.data!.importTariffsCsv;
    expect(summary).toBeNull();
    expect(userErrors.map((e: any) => e.field)).toEqual(
      [3, 4, 6, 7, 8, 9, 10, 11, 12, 13].map((line) => ['input', 'csv', `line ${line}`]),
    );
    const messages = userErrors.map((e: any) => e.message);
    expect(messages[0]).toBe(
      'line 3: price_usd: the USD price 1.10 must equal yield + operator share + platform fee (1.20)',
    );
    expect(messages[1]).toMatch(/^line 4: country: "X1" is not an ISO 3166-1 alpha-2 country code/);
    expect(messages[2]).toBe('line 6: expected 10 fields, found 9');
    expect(messages[3]).toBe('line 7: repeats the tariff on line 2 (same country, operator and short code)');
    expect(messages[4]).toMatch(/^line 8: currency: "XYZ" is not a supported/);
    expect(messages[5]).toMatch(/^line 9: price: EUR has 2 decimal places/);
    expect(messages[6]).toMatch(/^line 10: XF is "Testland F" in EUR on line 2/);
    expect(messages[7]).toMatch(/^line 11: operator: a name cannot start with =/);
    expect(messages[8]).toMatch(/^line 12: short_code: "12" is not a short code/);
    expect(messages[9]).toMatch(/^line 13: XA is priced in EUR and this file leaves out 2 of its active tariffs/);

    expect((await t.gql(EXPORT, {}, admin)).data!.exportTariffsCsv).toBe(before);
    expect((await t.gql('{ countries(includeInactive: true) { code } }', {}, admin)).data!.countries).toEqual(
      countriesBefore,
    );

    const header = await t.gql(IMPORT, { input: { csv: 'country,price\nXA,1' } }, admin);
    expect(header.data!.importTariffsCsv.userErrors).toMatchObject([{ field: ['input', 'csv', 'line 1'] }]);
    expect(header.data!.importTariffsCsv.userErrors[0].message).toMatch(/missing country_name, currency/);
    const quoting = await t.gql(IMPORT, { input: { csv: `${HEADER}\nXA,"Testland A,EUR` } }, admin);
    expect(quoting.data!.importTariffsCsv.userErrors).toEqual([
      { code: 'INVALID', field: ['input', 'csv', 'line 2'], message: 'line 2: a quoted field is never closed' },
    ]);
  });
});
