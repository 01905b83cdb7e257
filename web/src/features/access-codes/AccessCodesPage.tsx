import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { SecretPanel } from '../../app/components/SecretPanel';
import { Time } from '../../app/components/Time';
import { NEW_SERVICE, SERVICE_FIELDS, ServiceForm, toSettings } from './ServiceForm';
import { formatSeconds, kindLabel } from './status';

const AccessCodeServicesDocument = graphql(`
  query AccessCodeServices($first: Int, $after: String) {
    accessCodeServices(first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          name
          keyword
          shortCodes
          kind
          validitySeconds
          maxUses
          activeCodeCount
          floodAlertedAt
          createdAt
        }
      }
    }
  }
`);

const CreateAccessCodeServiceDocument = graphql(`
  mutation CreateAccessCodeService($input: CreateAccessCodeServiceInput!) {
    createAccessCodeService(input: $input) {
      secret
      accessCodeService {
        id
        name
        checkUrl
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

function CreateServiceForm() {
  const [created, setCreated] = useState<{ id: string; name: string; checkUrl: string; secret: string } | null>(null);
  // A new form after each creation, so its fields start empty again.
  const [formKey, setFormKey] = useState(0);
  const { attach, ...form } = useFormMutation(
    CreateAccessCodeServiceDocument,
    (data) => data.createAccessCodeService,
    SERVICE_FIELDS,
  );

  if (created)
    return (
      <SecretPanel
        title="Service created"
        secret={created.secret}
        testId="access-code-secret"
        onDone={() => setCreated(null)}
        warning={
          <>
            This is the signing secret of <Link to={created.id}>{created.name}</Link>. Your paid page checks the{' '}
            <code>sig</code> of each redirect with it. Store it now; revealing it again later is recorded in the audit
            log. Send payers to <code>{created.checkUrl}?code=…</code>.
          </>
        }
      />
    );
  return (
    <ServiceForm
      key={formKey}
      initial={NEW_SERVICE}
      label="Create access-code service"
      submitLabel="Create service"
      busy={form.fetching}
      errors={form.errors}
      attach={attach}
      onSubmit={async (values) => {
        const payload = await form.submit({ input: toSettings(values) });
        if (!payload?.accessCodeService || !payload.secret) return false;
        setCreated({ ...payload.accessCodeService, secret: payload.secret });
        setFormKey((key) => key + 1);
        return true;
      }}
    />
  );
}

export function AccessCodesPage() {
  const paging = usePaging();
  const [showCreate, setShowCreate] = useState(false);
  const [openedAt] = useState(() => Date.now());
  const [query, refetch] = useQuery({
    query: AccessCodeServicesDocument,
    variables: { first: paging.first, after: paging.after },
  });
  return (
    <Page
      title="Access codes"
      description="An SMS with your keyword buys a code; your site sends the payer to the check URL, which redirects to your paid, expired or invalid page."
      actions={
        <button type="button" className="button button--primary" onClick={() => setShowCreate((shown) => !shown)}>
          {showCreate ? 'Close' : 'New service'}
        </button>
      }
    >
      {showCreate && (
        <Card title="New access-code service">
          <CreateServiceForm />
        </Card>
      )}
      <Card title="Services">
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <DataTable
                caption="Access-code services"
                rows={data.accessCodeServices.edges.map((edge) => edge.node)}
                rowKey={(service) => service.id}
                empty="No access-code services yet. Create one to sell codes by SMS."
                columns={[
                  {
                    header: 'Service',
                    render: (service) => (
                      <Link to={service.id} className="strong-link" aria-label={`Open ${service.name}`}>
                        {service.name}
                      </Link>
                    ),
                  },
                  {
                    header: 'SMS',
                    render: (service) => (
                      <span>
                        <code>{service.keyword}</code> to {service.shortCodes.join(', ')}
                      </span>
                    ),
                  },
                  {
                    header: 'Codes',
                    render: (service) => (
                      <span>
                        {kindLabel(service.kind)}
                        {service.validitySeconds ? `, ${formatSeconds(service.validitySeconds)}` : ''}
                        {service.maxUses ? `, ${service.maxUses} uses` : ''}
                      </span>
                    ),
                  },
                  {
                    header: 'Active codes',
                    className: 'num',
                    render: (service) => service.activeCodeCount,
                  },
                  {
                    header: 'Alerts',
                    render: (service) =>
                      service.floodAlertedAt && openedAt - new Date(service.floodAlertedAt).getTime() < 86_400_000 ? (
                        <Badge tone="bad">guessing</Badge>
                      ) : (
                        <span className="muted">—</span>
                      ),
                  },
                  { header: 'Created', render: (service) => <Time value={service.createdAt} />, className: 'nowrap' },
                ]}
              />
              <Pager
                paging={paging}
                pageInfo={data.accessCodeServices.pageInfo}
                totalCount={data.accessCodeServices.totalCount}
                shown={data.accessCodeServices.edges.length}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
