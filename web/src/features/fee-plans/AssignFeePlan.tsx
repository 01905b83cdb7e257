import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';

const FeePlanNamesDocument = graphql(`
  query FeePlanNames {
    feePlans {
      id
      name
      isDefault
    }
  }
`);

const AssignFeePlanDocument = graphql(`
  mutation AssignFeePlan($input: AssignFeePlanInput!) {
    assignFeePlan(input: $input) {
      feePlan {
        id
        name
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** A merchant's plan, changed in place: choosing the default plan gives the merchant no plan of its own. */
export function AssignFeePlan({
  merchantId,
  merchantName,
  planId,
  onChanged,
}: {
  merchantId: string;
  merchantName: string;
  planId: string;
  onChanged: () => void;
}) {
  const [plans] = useQuery({ query: FeePlanNamesDocument });
  const [assignment, assign] = useMutation(AssignFeePlanDocument);
  const [error, setError] = useState<string | null>(null);
  const options = plans.data?.feePlans ?? [];
  return (
    <span className="inline-select">
      <select
        aria-label={`Fee plan of ${merchantName}`}
        value={planId}
        disabled={assignment.fetching || options.length === 0}
        onChange={(event) => {
          const chosen = options.find((plan) => plan.id === event.target.value);
          setError(null);
          void assign({ input: { merchantId, planId: chosen?.isDefault ? null : event.target.value } }).then(
            (response) => {
              const message = response.error?.message ?? response.data?.assignFeePlan.userErrors[0]?.message;
              setError(message ?? null);
              if (!message) onChanged();
            },
          );
        }}
      >
        {options.length === 0 && <option value={planId}>…</option>}
        {options.map((plan) => (
          <option key={plan.id} value={plan.id}>
            {plan.name}
            {plan.isDefault ? ' (default)' : ''}
          </option>
        ))}
      </select>
      {error && (
        <span className="field__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
