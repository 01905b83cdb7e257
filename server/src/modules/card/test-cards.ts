import { withCheckDigit } from './card.numbers';

/**
 * The test processor's cards (README.md lists them): Visa numbers on one test BIN range, `424299`, each Luhn-valid,
 * each naming the scenario the processor plays. Any expiry in the future and any 3-digit CVC work; the holder name
 * matters only card-present. A number on the range that is not listed here is approved like APPROVE.
 */
export const TEST_BIN = '424299';

export enum TestCardScenario {
  APPROVE = 'APPROVE',
  DECLINE = 'DECLINE',
  INSUFFICIENT_FUNDS = 'INSUFFICIENT_FUNDS',
  EXPIRED = 'EXPIRED',
  CHALLENGE = 'CHALLENGE',
  NEEDS_SIGNATURE = 'NEEDS_SIGNATURE',
  NO_HOLDER_NAME = 'NO_HOLDER_NAME',
  TIMEOUT = 'TIMEOUT',
  REFUND_FAILS = 'REFUND_FAILS',
  CHARGEBACK = 'CHARGEBACK',
}

/** The answer that passes a CHALLENGE card's challenge (what a 3-D Secure page would ask the payer for). */
export const TEST_CHALLENGE_ANSWER = '1234';

export interface TestCard {
  number: string;
  scenario: TestCardScenario;
  /** What the processor does with it. */
  behaviour: string;
}

const card = (code: string, scenario: TestCardScenario, behaviour: string): TestCard => ({
  number: withCheckDigit(`${TEST_BIN}00000${code}`),
  scenario,
  behaviour,
});

/** Every documented test card, in README order. */
export const TEST_CARDS: readonly TestCard[] = [
  card('0001', TestCardScenario.APPROVE, 'approved; refunds, voids and captures succeed'),
  card('0002', TestCardScenario.DECLINE, 'declined, code DECLINED'),
  card('0003', TestCardScenario.INSUFFICIENT_FUNDS, 'declined, code INSUFFICIENT_FUNDS'),
  card('0004', TestCardScenario.EXPIRED, 'declined, code EXPIRED_CARD (whatever expiry was typed)'),
  card(
    '0005',
    TestCardScenario.CHALLENGE,
    `requires action: a challenge, passed with the answer "${TEST_CHALLENGE_ANSWER}" (anything else: AUTHENTICATION_FAILED)`,
  ),
  card('0006', TestCardScenario.NEEDS_SIGNATURE, 'approved; card-present, the answer asks for the holder’s signature'),
  card(
    '0007',
    TestCardScenario.NO_HOLDER_NAME,
    'approved online; card-present declined with HOLDER_NAME_REQUIRED (the chip carries no holder name)',
  ),
  card(
    '0008',
    TestCardScenario.TIMEOUT,
    'every call answers UNKNOWN (a timeout) the first time; the call did happen (approved), as lookup then says',
  ),
  card('0009', TestCardScenario.REFUND_FAILS, 'approved; every refund declined with REFUND_REFUSED'),
  card('0010', TestCardScenario.CHARGEBACK, 'approved; a chargeback of the full amount is reported by disputes()'),
];

/** The card of a scenario. */
export function testCard(scenario: TestCardScenario): string {
  return TEST_CARDS.find((entry) => entry.scenario === scenario)!.number;
}

/** What a number on the test range does (unlisted numbers on the range are approved). */
export function scenarioOf(digits: string): TestCardScenario {
  return TEST_CARDS.find((entry) => entry.number === digits)?.scenario ?? TestCardScenario.APPROVE;
}
