import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Empty } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { describeAction } from '../audit/actions';
import { Balances } from '../ledger/Balances';
import { OwnFeePlan } from '../fee-plans/OwnFeePlan';
import { PaymentStatusBadge } from '../payments/status';

const OverviewDocument = graphql(`
  query Overview {
    me {
      merchant {
        id
        name
        createdAt
        balances {
          accountId
          purpose
          available {
            amount
            currency
          }
          posted {
            amount
            currency
          }
          pending {
            amount
            currency
          }
          held {
            amount
            currency
          }
        }
      }
    }
    payments(first: 5) {
      totalCount
      edges {
        node {
          id
          reference
          status
          description
          createdAt
          amount {
            amount
            currency
          }
        }
      }
    }
    apiKeys(first: 100) {
      totalCount
      edges {
        node {
          id
          revokedAt
        }
      }
    }
    auditEvents(first: 5) {
      edges {
        node {
          id
          action
          actorKind
          createdAt
        }
      }
    }
  }
`);

export function OverviewPage() {
  const [query, refetch] = useQuery({ query: OverviewDocument });
  const { data } = query;
  if (!data) return <QueryView query={query} refetch={refetch} />;
  const merchant = data?.me?.merchant;
  if (!data || !merchant) return <Empty>This account belongs to no merchant.</Empty>;
  const activeKeys = data.apiKeys.edges.filter((edge) => !edge.node.revokedAt).length;
  return (
    <Page title="Overview" description={merchant.name}>
      <Card title="Balances" actions={<Link to="ledger">Ledger</Link>}>
        <Balances balances={merchant.balances} />
      </Card>
      <div className="grid">
        <Card title="Recent payments" actions={<Link to="payments">All {data.payments.totalCount}</Link>}>
          {data.payments.edges.length === 0 ? (
            <p className="muted">
              No payments yet. <Link to="payments">Create one</Link> or take them through the API.
            </p>
          ) : (
            <ul className="timeline">
              {data.payments.edges.map(({ node }) => (
                <li key={node.id}>
                  <span>
                    <Link to={`payments/${node.id}`}>{node.description}</Link>{' '}
                    <PaymentStatusBadge status={node.status} />
                  </span>
                  <Money money={node.amount} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Recent activity" actions={<Link to="audit">Audit log</Link>}>
          {data.auditEvents.edges.length === 0 ? (
            <p className="muted">Nothing has happened yet.</p>
          ) : (
            <ul className="timeline">
              {data.auditEvents.edges.map(({ node }) => (
                <li key={node.id}>
                  <span>{describeAction(node.action)}</span>
                  <span className="muted small">
                    {node.actorKind === 'apiKey' ? 'API key' : node.actorKind} · <Time value={node.createdAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <div className="grid">
        <Card title="Merchant">
          <dl className="facts">
            <dt>Name</dt>
            <dd>{merchant.name}</dd>
            <dt>Merchant id</dt>
            <dd>
              <code>{merchant.id}</code>
            </dd>
            <dt>Since</dt>
            <dd>
              <Time value={merchant.createdAt} />
            </dd>
          </dl>
        </Card>
        <Card title="API keys" actions={<Link to="api-keys">Manage</Link>}>
          <p className="stat">
            <span className="stat__value">{activeKeys}</span>
            <span className="stat__label">active of {data.apiKeys.totalCount}</span>
          </p>
        </Card>
        <OwnFeePlan />
      </div>
    </Page>
  );
}
