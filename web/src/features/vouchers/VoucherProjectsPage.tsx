import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import type { VoucherKind, VoucherPricing } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { usePolling } from '../../app/polling';
import { KIND_LABELS, StockSummary } from './stock';

const VoucherProjectsDocument = graphql(`
  query VoucherProjects($first: Int, $after: String) {
    voucherProjects(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          name
          slug
          kind
          active
          unfulfilled
          price {
            amount
            currency
          }
          stock {
            available
            reserved
            sold
            withdrawn
            prepaid
          }
        }
      }
    }
  }
`);

const CreateVoucherProjectDocument = graphql(`
  mutation CreateVoucherProject($input: CreateVoucherProjectInput!) {
    createVoucherProject(input: $input) {
      project {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const CountriesDocument = graphql(`
  query VoucherCountries {
    countries {
      code
      name
    }
  }
`);

const FIELDS = ['name', 'slug', 'description', 'logoUrl', 'price', 'pricing', 'countries', 'kind'];

/** "Game card, 500 coins" → "game-card-500-coins": a starting point the seller may change. */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

function CreateProjectForm() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [description, setDescription] = useState('');
  const [logoUrl, setLogoUrl] = useState('');
  const [price, setPrice] = useState('');
  const [pricing, setPricing] = useState<VoucherPricing>('PRICE');
  const [kind, setKind] = useState<VoucherKind>('PIN');
  const [countries, setCountries] = useState<string[]>([]);
  const [catalogue] = useQuery({ query: CountriesDocument });
  const { attach, ...form } = useFormMutation(
    CreateVoucherProjectDocument,
    (data) => data.createVoucherProject,
    FIELDS,
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const canonicalPrice = parseAmountInput(price);
    if (canonicalPrice === null) return form.setErrors({ byField: { price: AMOUNT_HINT }, form: [] });
    const response = await form.submit({
      input: {
        name,
        slug,
        description: description || null,
        logoUrl: logoUrl || null,
        price: canonicalPrice,
        pricing,
        kind,
        countries,
      },
    });
    const project = response?.project;
    if (project) void navigate(project.id);
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="New voucher project"
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Name" error={form.fieldError('name')} hint="Shown to buyers.">
          {(props) => (
            <input
              {...props}
              name="name"
              maxLength={100}
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                if (!slugEdited) setSlug(slugOf(event.target.value));
              }}
            />
          )}
        </Field>
        <Field label="Page address" error={form.fieldError('slug')} hint={`Buyers pay at /p/${slug || '…'}`}>
          {(props) => (
            <input
              {...props}
              name="slug"
              maxLength={40}
              value={slug}
              onChange={(event) => {
                setSlugEdited(true);
                setSlug(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <div className="form__row">
        <Field label="Price (USD)" error={form.fieldError('price')}>
          {(props) => <AmountInput {...props} name="price" placeholder="5.00" value={price} onChange={setPrice} />}
        </Field>
        <Field
          label="The price is"
          error={form.fieldError('pricing')}
          hint={pricing === 'NET' ? 'Buyers pay more, by country.' : 'What the buyer pays.'}
        >
          {(props) => (
            <select
              {...props}
              name="pricing"
              value={pricing}
              onChange={(event) => setPricing(event.target.value as VoucherPricing)}
            >
              <option value="PRICE">what the buyer pays</option>
              <option value="NET">what I receive (net)</option>
            </select>
          )}
        </Field>
        <Field label="A voucher is" error={form.fieldError('kind')}>
          {(props) => (
            <select
              {...props}
              name="kind"
              value={kind}
              onChange={(event) => setKind(event.target.value as VoucherKind)}
            >
              {Object.entries(KIND_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Description (optional)" error={form.fieldError('description')}>
        {(props) => (
          <textarea
            {...props}
            name="description"
            rows={3}
            maxLength={2000}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <div className="form__row">
        <Field label="Logo URL (optional)" error={form.fieldError('logoUrl')}>
          {(props) => (
            <input
              {...props}
              name="logoUrl"
              type="url"
              placeholder="https://example.com/logo.png"
              value={logoUrl}
              onChange={(event) => setLogoUrl(event.target.value)}
            />
          )}
        </Field>
        <Field
          label="Countries served"
          error={form.fieldError('countries')}
          hint="None selected: every country whose SMS tariffs can pay the price."
        >
          {(props) => (
            <select
              {...props}
              name="countries"
              multiple
              size={4}
              value={countries}
              onChange={(event) => setCountries([...event.target.selectedOptions].map((option) => option.value))}
            >
              {catalogue.data?.countries.map((country) => (
                <option key={country.code} value={country.code}>
                  {country.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching}>
          {form.fetching ? 'Creating…' : 'Create project'}
        </button>
      </div>
    </form>
  );
}

/** The seller's voucher projects: stock at a glance (refreshed while the page is open), and a form for a new one. */
export function VoucherProjectsPage() {
  const paging = usePaging();
  const [query, refetch] = useQuery({
    query: VoucherProjectsDocument,
    variables: { first: paging.first, after: paging.after },
  });
  usePolling(() => refetch({ requestPolicy: 'network-only' }), 5000);
  return (
    <Page
      title="Vouchers"
      description="Sell PIN codes, logins or activation links, paid by SMS. Each project has a public page to link to."
    >
      <Card title="Projects">
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable
                caption="Voucher projects"
                rows={data.voucherProjects.edges.map((edge) => edge.node)}
                rowKey={(project) => project.id}
                rowClassName={(project) => (project.active ? undefined : 'row--muted')}
                empty="No voucher projects yet. Create one below."
                columns={[
                  {
                    header: 'Project',
                    render: (project) => (
                      <span>
                        <Link to={project.id} className="strong-link">
                          {project.name}
                        </Link>
                        <br />
                        <span className="muted small">/p/{project.slug}</span>
                      </span>
                    ),
                  },
                  { header: 'Price', className: 'num', render: (project) => <Money money={project.price} /> },
                  { header: 'Kind', render: (project) => KIND_LABELS[project.kind] },
                  {
                    header: 'Stock',
                    render: (project) => <StockSummary stock={project.stock} unfulfilled={project.unfulfilled} />,
                  },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.voucherProjects.pageInfo}
                totalCount={data.voucherProjects.totalCount}
                shown={data.voucherProjects.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
      <Card title="New project">
        <CreateProjectForm />
      </Card>
    </Page>
  );
}
