import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { FeeMethod } from '../../gql/graphql';
import { Card } from '../../app/components/Page';
import { amountsText, describeRule, percentOf } from './feeText';

const OwnFeePlanDocument = graphql(`
  query OwnFeePlan {
    feePlan {
      id
      name
      reserveBps
      reserveDays
      rules {
        method
        percentBps
        fromTariff
        fixed {
          amount
          currency
        }
      }
      chargebackFee {
        amount
        currency
      }
    }
  }
`);

const METHODS: { method: FeeMethod; label: string }[] = [
  { method: 'CARD_ONLINE', label: 'Card online' },
  { method: 'CARD_PRESENT', label: 'Card present' },
  { method: 'SMS', label: 'SMS' },
  { method: 'PAYOUT', label: 'Payout' },
];

/** The merchant's own fee plan, read-only: what each payment costs. */
export function OwnFeePlan() {
  const [query] = useQuery({ query: OwnFeePlanDocument });
  const plan = query.data?.feePlan;
  if (!plan) return null;
  return (
    <Card title={`Fees: ${plan.name}`}>
      <dl className="facts" data-testid="own-fee-plan">
        {METHODS.map(({ method, label }) => {
          const rule = plan.rules.find((entry) => entry.method === method);
          return (
            <div key={method} style={{ display: 'contents' }}>
              <dt>{label}</dt>
              <dd>{rule ? describeRule(rule) : 'free'}</dd>
            </div>
          );
        })}
        <dt>Chargeback</dt>
        <dd>{plan.chargebackFee.length ? amountsText(plan.chargebackFee) : 'none'}</dd>
        <dt>Reserve</dt>
        <dd>
          {plan.reserveBps ? `${percentOf(plan.reserveBps)}% of card money, held ${plan.reserveDays} days` : 'none'}
        </dd>
      </dl>
    </Card>
  );
}
