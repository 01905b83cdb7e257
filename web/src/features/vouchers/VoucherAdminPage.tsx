import { useCallback, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { graphql } from '../../gql';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { usePolling } from '../../app/polling';
import { OrdersTable } from './orders';
import { StockSummary } from './stock';
import { MerchantName } from '../merchants/MerchantName';

const UnfulfilledOrdersDocument = graphql(`
  query UnfulfilledVoucherOrders {
    voucherSales(state: UNFULFILLED, first: 100) {
      totalCount
      edges {
        node {
          id
          reference
          state
          country
          payerPhone
          resolution
          createdAt
          project {
            id
            name
          }
          payment {
            id
            status
            amount {
              amount
              currency
            }
            amountReceived {
              amount
              currency
            }
          }
          voucher {
            id
            preview
          }
        }
      }
    }
  }
`);

const AllVoucherProjectsDocument = graphql(`
  query AllVoucherProjects {
    voucherProjects(first: 100) {
      edges {
        node {
          id
          name
          slug
          merchantId
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

const PrepayVoucherBlockDocument = graphql(`
  mutation PrepayVoucherBlock($input: PrepayVoucherBlockInput!) {
    prepayVoucherBlock(input: $input) {
      block {
        id
        count
        total {
          amount
          currency
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** Prepaid settlement (V10): the platform buys vouchers up front and the seller is paid at once. */
function PrepayForm({ projectId, onDone }: { projectId: string; onDone: () => void }) {
  const [count, setCount] = useState('');
  const [unitPrice, setUnitPrice] = useState('');
  const { attach, ...form } = useFormMutation(PrepayVoucherBlockDocument, (data) => data.prepayVoucherBlock, [
    'count',
    'unitPrice',
  ]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Empty: the project's price.
    const canonicalPrice = unitPrice.trim() ? parseAmountInput(unitPrice) : null;
    if (unitPrice.trim() && canonicalPrice === null)
      return form.setErrors({ byField: { unitPrice: AMOUNT_HINT }, form: [] });
    const response = await form.submit({ input: { projectId, count: Number(count), unitPrice: canonicalPrice } });
    if (response?.block) {
      setCount('');
      setUnitPrice('');
      onDone();
    }
  };
  return (
    <form
      ref={attach}
      className="form form--inline"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Prepay vouchers"
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row">
        <Field label="Buy" error={form.fieldError('count')}>
          {(props) => (
            <input {...props} inputMode="numeric" size={5} value={count} onChange={(e) => setCount(e.target.value)} />
          )}
        </Field>
        <Field label="USD each (default: price)" error={form.fieldError('unitPrice')}>
          {(props) => <AmountInput {...props} size={7} value={unitPrice} onChange={setUnitPrice} />}
        </Field>
      </div>
      <button type="submit" className="button button--small" disabled={form.fetching || !count}>
        Prepay
      </button>
    </form>
  );
}

/** Platform admins: voucher payments waiting for a resolution, and prepaid settlement of sellers' stock. */
export function VoucherAdminPage() {
  const [orders, refetchOrders] = useQuery({ query: UnfulfilledOrdersDocument });
  const [projects, refetchProjects] = useQuery({ query: AllVoucherProjectsDocument });
  const refresh = useCallback(() => {
    refetchOrders({ requestPolicy: 'network-only' });
    refetchProjects({ requestPolicy: 'network-only' });
  }, [refetchOrders, refetchProjects]);
  usePolling(refresh, 5000);
  return (
    <Page
      title="Vouchers"
      description="Money that arrived when a project had no voucher left is kept and flagged here until it is resolved."
    >
      <Card title="To resolve">
        {!orders.data ? (
          <QueryView query={orders} refetch={refresh} />
        ) : orders.data ? (
          <OrdersTable
            orders={orders.data.voucherSales.edges.map((edge) => edge.node)}
            showProject
            onChanged={refresh}
          />
        ) : null}
      </Card>
      <Card title="Projects and prepaid settlement">
        {!projects.data ? (
          <QueryView query={projects} refetch={refresh} />
        ) : projects.data ? (
          <DataTable
            caption="Voucher projects"
            rows={projects.data.voucherProjects.edges.map((edge) => edge.node)}
            rowKey={(project) => project.id}
            empty="No voucher projects."
            columns={[
              {
                header: 'Project',
                render: (project) => (
                  <span>
                    {project.name}
                    <br />
                    <span className="muted small">
                      /p/{project.slug} · <MerchantName id={project.merchantId} />
                    </span>
                  </span>
                ),
              },
              { header: 'Price', className: 'num', render: (project) => <Money money={project.price} /> },
              { header: 'Stock', render: (project) => <StockSummary stock={project.stock} /> },
              { header: 'Prepay', render: (project) => <PrepayForm projectId={project.id} onDone={refresh} /> },
            ]}
          />
        ) : null}
      </Card>
    </Page>
  );
}
