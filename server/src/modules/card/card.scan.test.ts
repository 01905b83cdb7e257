import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { startTestAppWithLogs, type CapturedLogs } from '../../../test/log-capture';
import type { Auth, TestApp } from '../../../test/harness';
import {
  COMPLETE_CHALLENGE,
  createCardPayment,
  EXP_YEAR,
  newKey,
  PAY_BY_CARD,
  postCard,
  REFUND,
  workerDeps,
} from '../../../test/cards';
import { OutboxMessage } from '../outbox/outbox-message.entity';
import { WebhookEvent } from '../webhook/webhook-event.entity';
import { luhnValid } from './card.numbers';
import { pollDisputes, reconcileCardOperations } from './card.service';
import { TEST_BIN, TEST_CARDS, TEST_CHALLENGE_ANSWER, TestCardScenario } from './test-cards';

/** Every table's rows as text. */
async function databaseText(em: EntityManager): Promise<string> {
  const postgres = em.getPlatform().constructor.name === 'PostgreSqlPlatform';
  const tables = (
    await em
      .getConnection()
      .execute<{ name: string }[]>(
        postgres
          ? `select table_name as name from information_schema.tables where table_schema = 'public'`
          : `select name from sqlite_master where type = 'table'`,
      )
  ).map((row: { name: string }) => row.name);
  expect(tables).toEqual(
    expect.arrayContaining(['card_token', 'card_charge', 'outbox_message', 'test_processor_token']),
  );
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await em.getConnection().execute(`select * from ${postgres ? `"${table}"` : `\`${table}\``}`);
    parts.push(
      `${table}: ${JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}`,
    );
  }
  return parts.join('\n');
}

/** Luhn-valid card numbers on the test range in `text`, with or without spaces or dashes between digits. */
function cardNumbersIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/\d(?:[ -]?\d){11,}/g)) {
    const digits = match[0].replace(/[ -]/g, '');
    for (let start = digits.indexOf(TEST_BIN); start !== -1; start = digits.indexOf(TEST_BIN, start + 1)) {
      for (let length = 12; length <= 19 && start + length <= digits.length; length++) {
        const candidate = digits.slice(start, start + length);
        if (luhnValid(candidate)) found.add(candidate);
      }
    }
  }
  return [...found];
}

describe('card data never lands in the database, the logs or the outbox (payer and payout cards)', () => {
  let t: TestApp & { logs: CapturedLogs };
  let owner: Auth;
  beforeAll(async () => {
    t = await startTestAppWithLogs({ RATE_LIMIT_SCALE: '10' });
    owner = await t.ownerAuth();
    // A webhook endpoint, so every event becomes an outbox message too.
    const endpoint = await t.gql(
      `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hook", eventTypes: ["*"] }) { userErrors { message } } }`,
      {},
      owner,
    );
    expect(endpoint.data?.createWebhookEndpoint.userErrors).toEqual([]);
  });
  afterAll(async () => t?.close());

  it('finds the scanner working on a planted number', () => {
    expect(cardNumbersIn(`x ${TEST_CARDS[0].number} y`)).toEqual([TEST_CARDS[0].number]);
    expect(cardNumbersIn('4242 9900 0000 0010')).toEqual(['4242990000000010']);
    expect(cardNumbersIn('4242990000000011')).toEqual([]);
  });

  it('after card payments with every test card (and the tokeniser’s refusals)', async () => {
    for (const card of TEST_CARDS) {
      const { payment, pageToken } = await createCardPayment(t, owner, { amount: '7.00', currency: 'USD' });
      // Typed with spaces, as payers do; a refusal for each field on the way.
      const spaced = card.number.replace(/(\d{4})(?=\d)/g, '$1 ');
      const base = {
        pageToken,
        number: spaced,
        expMonth: 12,
        expYear: EXP_YEAR,
        cvc: '737',
        holderName: 'Grace Hopper',
      };
      expect((await postCard(t, { ...base, expYear: 2001 })).status).toBe(400);
      expect((await postCard(t, { ...base, cvc: '7' })).status).toBe(400);
      await fetch(`${t.url}/card/tokens`, { method: 'POST', body: `{"number": "${card.number}", "cvc": ` });
      const tokenised = await postCard(t, base);
      expect(tokenised.status).toBe(201);
      const result = await t.gql(PAY_BY_CARD, {
        pageToken,
        cardToken: tokenised.json.token,
        key: newKey('scan'),
        email: 'payer@example.com',
      });
      let status = result.data!.payByCard.status;
      if (status === 'REQUIRES_ACTION') {
        const done = await t.gql(COMPLETE_CHALLENGE, {
          pageToken,
          chargeId: result.data!.payByCard.chargeId,
          answer: TEST_CHALLENGE_ANSWER,
        });
        status = done.data!.completeCardChallenge.status;
      }
      if (card.scenario === TestCardScenario.TIMEOUT) {
        await reconcileCardOperations(workerDeps(t), { olderThanMs: 0 });
        status = 'CAPTURED';
      }
      if (status === 'CAPTURED') {
        await t.gql(REFUND, { input: { paymentId: payment.id, amount: '1.00', idempotencyKey: newKey() } }, owner);
      }
    }
    // A merchant's own payout cards, by the owner's session: every test card, refusals on the way, each made a
    // CARD payout destination (its emailed code goes through the outbox).
    for (const card of TEST_CARDS) {
      const spaced = card.number.replace(/(\d{4})(?=\d)/g, '$1-');
      const payoutCard = (body: Record<string, unknown>, contentType = 'application/json') =>
        fetch(`${t.url}/card/payout-tokens`, {
          method: 'POST',
          headers: { 'content-type': contentType, cookie: owner.cookie! },
          body: JSON.stringify(body),
        });
      const base = { number: spaced, expMonth: 12, expYear: EXP_YEAR, cvc: '737', holderName: 'Grace Hopper' };
      expect((await payoutCard({ ...base, expMonth: 13 })).status).toBe(400);
      expect((await payoutCard(base, 'text/plain')).status).toBe(415);
      const anonymous = await fetch(`${t.url}/card/payout-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(base),
      });
      expect(anonymous.status).toBe(401);
      await fetch(`${t.url}/card/payout-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: owner.cookie! },
        body: `{"number": "${card.number}", "cvc": `,
      });
      const tokenised = await payoutCard(base);
      expect(tokenised.status).toBe(201);
      const { token } = (await tokenised.json()) as { token: string };
      const added = await t.gql(
        `mutation($input: AddPayoutDestinationInput!) { addPayoutDestination(input: $input) { userErrors { code } } }`,
        { input: { kind: 'CARD', holderName: 'Grace Hopper', cardTokenId: token } },
        owner,
      );
      expect(added.data?.addPayoutDestination.userErrors).toEqual([]);
    }

    await reconcileCardOperations(workerDeps(t), { olderThanMs: 0 });
    expect(await pollDisputes(workerDeps(t))).toBe(1);

    const em = t.orm.em.fork();
    const sources: Record<string, string> = {
      database: await databaseText(em),
      logs: t.logs.text(),
      // The outbox's messages name webhook deliveries; what they send is the events' data.
      outbox: JSON.stringify([
        ...(await em.find(OutboxMessage, {})).map((message) => message.payload),
        ...(await em.find(WebhookEvent, {})).map((event) => ({ type: event.type, data: event.data })),
      ]),
    };
    expect(sources.logs).toContain('/card/tokens'); // the request lines were captured
    expect(sources.logs).toContain('/card/payout-tokens');
    expect(sources.outbox).toContain('Confirm your new payout details');
    expect(sources.outbox).toContain('card.charge.captured');
    expect(sources.outbox).toContain('deliveryId');
    for (const [name, text] of Object.entries(sources)) {
      for (const card of TEST_CARDS)
        expect({ name, found: text.includes(card.number) }).toEqual({ name, found: false });
      expect({ name, found: cardNumbersIn(text) }).toEqual({ name, found: [] });
      expect({ name, cvc: text.includes('"737"') }).toEqual({ name, cvc: false });
    }
  });
});
