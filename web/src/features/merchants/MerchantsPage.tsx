import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Badge } from '../../app/components/Badge';
import { MerchantName } from './MerchantName';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';
import { AssignFeePlan } from '../fee-plans/AssignFeePlan';

const MerchantsDocument = graphql(`
  query Merchants($first: Int, $after: String) {
    merchants(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          name
          parentId
          createdAt
          suspendedAt
          feePlan {
            id
            name
          }
        }
      }
    }
  }
`);

const SearchMerchantsDocument = graphql(`
  query SearchMerchants($text: String!) {
    searchMerchants(text: $text) {
      id
      name
      suspendedAt
    }
  }
`);

/** Finds merchants by part of the name, a team member's email, or the id, and links to their pages. */
function MerchantSearch() {
  const [text, setText] = useState('');
  const trimmed = text.trim();
  const [query] = useQuery({ query: SearchMerchantsDocument, variables: { text: trimmed }, pause: !trimmed });
  return (
    <div className="form" role="search" aria-label="Merchants">
      <Field label="Search merchants" hint="Part of the name, a team member's email, or the merchant id.">
        {(props) => (
          <input
            {...props}
            name="search"
            type="search"
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        )}
      </Field>
      {trimmed && query.data && (
        <ul aria-label="Search results">
          {query.data.searchMerchants.length === 0 && <li className="muted">No merchant matches.</li>}
          {query.data.searchMerchants.map((merchant) => (
            <li key={merchant.id}>
              <Link to={merchant.id}>{merchant.name}</Link>
              {merchant.suspendedAt && (
                <>
                  {' '}
                  <Badge tone="bad">suspended</Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const CreateMerchantDocument = graphql(`
  mutation CreateMerchant($input: CreateMerchantInput!) {
    createMerchant(input: $input) {
      merchant {
        id
        name
        parentId
        createdAt
      }
      owner {
        id
        email
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const PartnersDocument = graphql(`
  query Partners {
    merchants(first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

function CreateMerchantForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [ownerName, setOwnerName] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [ownerPassword, setOwnerPassword] = useState('');
  const [parentId, setParentId] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [partners] = useQuery({ query: PartnersDocument });
  const { attach, ...form } = useFormMutation(CreateMerchantDocument, (data) => data.createMerchant, [
    'name',
    'ownerName',
    'ownerEmail',
    'ownerPassword',
    'parentId',
  ]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    const response = await form.submit({
      input: { name, ownerName, ownerEmail: ownerEmail.trim(), ownerPassword, parentId: parentId || null },
    });
    const payload = response;
    if (payload?.merchant && payload.owner) {
      setCreated(`${payload.merchant.name} created; its owner logs in as ${payload.owner.email}.`);
      setName('');
      setOwnerName('');
      setOwnerEmail('');
      setOwnerPassword('');
      setParentId('');
    }
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Create merchant"
    >
      {created && (
        <p className="notice notice--good" role="status">
          {created}
        </p>
      )}
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Merchant name" error={form.fieldError('name')}>
          {(props) => (
            <input
              {...props}
              name="name"
              maxLength={200}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field
          label="Partner (optional)"
          error={form.fieldError('parentId')}
          hint="Makes it a sub-merchant the partner sees."
        >
          {(props) => (
            <select {...props} name="parentId" value={parentId} onChange={(event) => setParentId(event.target.value)}>
              <option value="">None</option>
              {partners.data?.merchants.edges.map(({ node }) => (
                <option key={node.id} value={node.id}>
                  {node.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form__row">
        <Field label="Owner's name" error={form.fieldError('ownerName')}>
          {(props) => (
            <input
              {...props}
              name="ownerName"
              value={ownerName}
              onChange={(event) => setOwnerName(event.target.value)}
            />
          )}
        </Field>
        <Field label="Owner's email" error={form.fieldError('ownerEmail')}>
          {(props) => (
            <input
              {...props}
              name="ownerEmail"
              type="email"
              autoComplete="off"
              value={ownerEmail}
              onChange={(event) => setOwnerEmail(event.target.value)}
            />
          )}
        </Field>
        <Field label="Owner's first password" error={form.fieldError('ownerPassword')} hint="At least 10 characters.">
          {(props) => (
            <input
              {...props}
              name="ownerPassword"
              type="password"
              autoComplete="new-password"
              value={ownerPassword}
              onChange={(event) => setOwnerPassword(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="form__actions">
        <button type="button" className="button" onClick={onDone}>
          Close
        </button>
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Creating…' : 'Create merchant'}
        </button>
      </div>
    </form>
  );
}

export function MerchantsPage() {
  const [showCreate, setShowCreate] = useState(false);
  const paging = usePaging();
  const [query, refetch] = useQuery({
    query: MerchantsDocument,
    variables: { first: paging.first, after: paging.after },
  });
  const { data } = query;
  const names = new Map(data?.merchants.edges.map(({ node }) => [node.id, node.name]));
  return (
    <Page
      title="Merchants"
      description="Every organisation taking payments through Tollgate."
      actions={
        !showCreate && (
          <button type="button" className="button button--primary" onClick={() => setShowCreate(true)}>
            New merchant
          </button>
        )
      }
    >
      {showCreate && (
        <Card title="New merchant">
          <CreateMerchantForm onDone={() => setShowCreate(false)} />
        </Card>
      )}
      <Card>
        <MerchantSearch />
      </Card>
      <Card>
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable
                caption="Merchants"
                rows={data.merchants.edges.map((edge) => edge.node)}
                rowKey={(merchant) => merchant.id}
                empty="No merchants yet."
                columns={[
                  {
                    header: 'Name',
                    render: (merchant) => (
                      <>
                        <Link to={merchant.id}>
                          <strong>{merchant.name}</strong>
                        </Link>
                        {merchant.suspendedAt && (
                          <>
                            {' '}
                            <Badge tone="bad">suspended</Badge>
                          </>
                        )}
                      </>
                    ),
                  },
                  {
                    header: 'Partner',
                    render: (merchant) =>
                      merchant.parentId ? (
                        (names.get(merchant.parentId) ?? <MerchantName id={merchant.parentId} />)
                      ) : (
                        <span className="muted">—</span>
                      ),
                  },
                  {
                    header: 'Fee plan',
                    render: (merchant) => (
                      <AssignFeePlan
                        merchantId={merchant.id}
                        merchantName={merchant.name}
                        planId={merchant.feePlan.id}
                        onChanged={() => refetch({ requestPolicy: 'network-only' })}
                      />
                    ),
                  },
                  { header: 'Created', render: (merchant) => <Time value={merchant.createdAt} />, className: 'nowrap' },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.merchants.pageInfo}
                totalCount={data.merchants.totalCount}
                shown={data.merchants.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
