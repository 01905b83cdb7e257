import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Auth, type TestApp } from '../../../test/harness';
import { createCardPayment, EXP_YEAR, newKey, PAY_BY_CARD } from '../../../test/cards';
import { TestCardScenario, testCard } from './test-cards';
import { TestProcessorOperation } from './test-processor.entity';

/**
 * Card testing: declines are budgeted per source, per payment and per card (fingerprint), and a spent budget is
 * refused with RATE_LIMITED before the processor is asked. RATE_LIMIT_SCALE 0.2 leaves 2 declines per source and 1
 * per payment and per card.
 */
describe('card testing limits', () => {
  let t: TestApp;
  let owner: Auth;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SCALE: '0.2' });
    owner = await t.ownerAuth();
  });
  afterAll(async () => t?.close());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const processorCalls = () => t.orm.em.fork().count(TestProcessorOperation, {});

  async function attempt(ip: string, pageToken: string, scenario: TestCardScenario) {
    const response = await fetch(`${t.url}/card/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...from(ip) },
      body: JSON.stringify({ pageToken, number: testCard(scenario), expMonth: 1, expYear: EXP_YEAR, cvc: '321' }),
    });
    expect(response.status).toBe(201);
    const { token } = (await response.json()) as { token: string };
    return t.gql(PAY_BY_CARD, { pageToken, cardToken: token, key: newKey() }, { headers: from(ip) });
  }
  const page = async () => (await createCardPayment(t, owner)).pageToken;

  async function expectRefusedBeforeTheProcessor(run: Promise<any>) {
    const before = await processorCalls();
    const answer = await run;
    expect(answer.errors?.[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    expect(await processorCalls()).toBe(before);
  }

  it('per payment: after its declines, even a good card is refused on that payment', async () => {
    const payment = await page();
    const declined = await attempt('203.0.113.10', payment, TestCardScenario.DECLINE);
    expect(declined.data!.payByCard.status).toBe('DECLINED');
    await expectRefusedBeforeTheProcessor(attempt('203.0.113.10', payment, TestCardScenario.APPROVE));
  });

  it('per card: a card that was declined is refused on another payment, from another address', async () => {
    await expectRefusedBeforeTheProcessor(attempt('203.0.113.20', await page(), TestCardScenario.DECLINE));
    // Another card from the same address still pays, and an approval costs no budget.
    const paid = await attempt('203.0.113.20', await page(), TestCardScenario.APPROVE);
    expect(paid.data!.payByCard.status).toBe('CAPTURED');
  });

  it('per source: after its declines, an address is refused whatever card and payment it tries', async () => {
    const ip = '203.0.113.30';
    expect((await attempt(ip, await page(), TestCardScenario.INSUFFICIENT_FUNDS)).data!.payByCard.status).toBe(
      'DECLINED',
    );
    expect((await attempt(ip, await page(), TestCardScenario.EXPIRED)).data!.payByCard.status).toBe('DECLINED');
    await expectRefusedBeforeTheProcessor(attempt(ip, await page(), TestCardScenario.APPROVE));
    // Another address is not affected.
    expect((await attempt('203.0.113.31', await page(), TestCardScenario.APPROVE)).data!.payByCard.status).toBe(
      'CAPTURED',
    );
  });
});
