import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql, useFragment, type FragmentType } from '../../gql';
import type { PaymentCardFieldsFragment } from '../../gql/graphql';
import { Badge, type Tone } from '../../app/components/Badge';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money, type MoneyValue } from '../../app/components/Money';
import { Card } from '../../app/components/Page';
import { Time } from '../../app/components/Time';
import { newIdempotencyKey } from '../../app/idempotency';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { fromMinor, scaleOf, toMinor } from '../sms/decimal';
import { humanize } from '../payments/status';

/** A payment's card side for the dashboard: each attempt (charge) with its processor calls, refunds, chargebacks. */
export const PaymentCardFields = graphql(`
  fragment PaymentCardFields on Payment {
    id
    status
    cardCharges {
      id
      status
      brand
      last4
      captureMode
      declineCode
      processorReference
      createdAt
      capturedAt
      amount {
        amount
        currency
      }
      captured {
        amount
        currency
      }
      refunded {
        amount
        currency
      }
      operations {
        id
        kind
        state
        outcome
        declineCode
        idempotencyKey
        durationMs
        createdAt
      }
    }
    refunds {
      id
      chargeId
      status
      declineCode
      createdAt
      amount {
        amount
        currency
      }
    }
    chargebacks {
      id
      status
      reason
      evidence
      openedAt
      resolvedAt
      amount {
        amount
        currency
      }
    }
  }
`);

const RefundCardPaymentDocument = graphql(`
  mutation RefundCardPayment($input: RefundCardPaymentInput!) {
    refundCardPayment(input: $input) {
      refund {
        id
        status
      }
      payment {
        id
        status
        ...PaymentCardFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const CaptureCardPaymentDocument = graphql(`
  mutation CaptureCardPayment($input: CardPaymentActionInput!) {
    captureCardPayment(input: $input) {
      payment {
        id
        status
        ...PaymentCardFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const VoidCardPaymentDocument = graphql(`
  mutation VoidCardPayment($input: CardPaymentActionInput!) {
    voidCardPayment(input: $input) {
      payment {
        id
        status
        ...PaymentCardFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Charge = PaymentCardFieldsFragment['cardCharges'][number];
type Refund = PaymentCardFieldsFragment['refunds'][number];
type Chargeback = PaymentCardFieldsFragment['chargebacks'][number];

const CHARGE_TONES: Record<string, Tone> = {
  PENDING: 'info',
  REQUIRES_ACTION: 'info',
  AUTHORISED: 'warn',
  CAPTURED: 'good',
  DECLINED: 'bad',
  VOIDED: 'neutral',
  UNKNOWN: 'warn',
};

const REFUND_TONES: Record<string, Tone> = { PENDING: 'info', SUCCEEDED: 'good', FAILED: 'bad', UNKNOWN: 'warn' };
const CHARGEBACK_TONES: Record<string, Tone> = { OPENED: 'warn', WON: 'good', LOST: 'bad' };

export function StatusBadge({ status, tones }: { status: string; tones: Record<string, Tone> }) {
  return <Badge tone={tones[status] ?? 'neutral'}>{humanize(status)}</Badge>;
}

/** What can still be refunded, summed over captured charges: captured − refunded, exactly (decimal strings). */
export function refundable(charges: readonly Charge[]): MoneyValue | null {
  const captured = charges.filter((charge) => charge.status === 'CAPTURED');
  if (captured.length === 0) return null;
  const currency = captured[0].captured.currency;
  const scale = Math.max(...captured.flatMap((c) => [scaleOf(c.captured.amount), scaleOf(c.refunded.amount)]));
  let rest = 0n;
  for (const charge of captured) {
    rest += (toMinor(charge.captured.amount, scale) ?? 0n) - (toMinor(charge.refunded.amount, scale) ?? 0n);
  }
  return { amount: fromMinor(rest > 0n ? rest : 0n, scale), currency };
}

function RefundForm({ paymentId, left }: { paymentId: string; left: MoneyValue }) {
  const [amount, setAmount] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, refund] = useMutation(RefundCardPaymentDocument);
  const partial = amount.trim() !== '';
  const canonicalAmount = parseAmountInput(amount);

  const ask = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const readable = !partial || canonicalAmount !== null;
    setError(readable ? null : AMOUNT_HINT);
    if (readable) setOpen(true);
  };

  return (
    <form className="form" onSubmit={ask} noValidate aria-label="Refund">
      {done && (
        <p className="notice notice--good" role="status">
          {done}
        </p>
      )}
      <div className="form__row">
        <Field
          label={`Refund amount (${left.currency})`}
          error={error ?? undefined}
          hint={`Up to ${left.amount} ${left.currency}. Leave empty to refund everything left.`}
        >
          {(props) => (
            <AmountInput
              {...props}
              name="amount"
              placeholder={left.amount}
              value={amount}
              onChange={(value) => {
                setAmount(value);
                setOpen(false);
              }}
            />
          )}
        </Field>
      </div>
      {!open && (
        <div className="form__actions">
          <button type="submit" className="button button--danger-quiet">
            {partial ? 'Refund part' : 'Refund in full'}
          </button>
        </div>
      )}
      <ConfirmBox
        open={open}
        onOpenChange={setOpen}
        label="Confirm refund"
        confirmLabel={`Refund ${partial ? canonicalAmount : left.amount} ${left.currency}`}
        cancelLabel="Keep the money"
        onConfirm={async () => {
          const response = await refund({
            input: { paymentId, amount: partial ? canonicalAmount : null, idempotencyKey },
          });
          const message = response.error?.message ?? response.data?.refundCardPayment.userErrors[0]?.message;
          if (message) return message;
          const status = response.data?.refundCardPayment.refund?.status;
          setDone(
            status === 'FAILED'
              ? 'The processor refused the refund; nothing was returned.'
              : `Refund ${status ? humanize(status).toLowerCase() : 'sent'}.`,
          );
          setAmount('');
          // The next refund is another change: a new key.
          setIdempotencyKey(newIdempotencyKey());
        }}
      >
        <p>
          The payer gets {partial ? `${amount.trim()} ${left.currency}` : `${left.amount} ${left.currency}`} back on the
          card. It comes out of your balance; Tollgate&apos;s fee is not given back.
        </p>
      </ConfirmBox>
    </form>
  );
}

function CaptureOrVoid({ paymentId }: { paymentId: string }) {
  const [, capture] = useMutation(CaptureCardPaymentDocument);
  const [, voidPayment] = useMutation(VoidCardPaymentDocument);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="stack">
      <p className="muted">Authorised only (manual capture): take the money, or release the hold on the card.</p>
      <FormErrors messages={error ? [error] : []} />
      <div className="button-row">
        <button
          type="button"
          className="button button--primary"
          onClick={() =>
            void capture({ input: { paymentId } }).then((response) =>
              setError(response.error?.message ?? response.data?.captureCardPayment.userErrors[0]?.message ?? null),
            )
          }
        >
          Capture
        </button>
        <ConfirmBox
          trigger="Void"
          label="Void the authorisation"
          confirmLabel="Void"
          onConfirm={async () => {
            const response = await voidPayment({ input: { paymentId } });
            return response.error?.message ?? response.data?.voidCardPayment.userErrors[0]?.message;
          }}
        >
          <p>The hold on the payer&apos;s card is released; the payment cannot be captured afterwards.</p>
        </ConfirmBox>
      </div>
    </div>
  );
}

function Attempts({ charge }: { charge: Charge }) {
  if (charge.operations.length === 0) return null;
  return (
    <details className="disclosure">
      <summary>
        {charge.operations.length} processor call{charge.operations.length === 1 ? '' : 's'}
      </summary>
      <DataTable
        caption={`Processor calls of ${charge.id}`}
        rows={charge.operations}
        rowKey={(operation) => operation.id}
        empty=""
        columns={[
          { header: 'Time', className: 'nowrap', render: (operation) => <Time value={operation.createdAt} /> },
          { header: 'Call', render: (operation) => humanize(operation.kind) },
          {
            header: 'Answer',
            render: (operation) =>
              operation.outcome ? (
                humanize(operation.outcome)
              ) : (
                <span className="muted">{humanize(operation.state)}</span>
              ),
          },
          { header: 'Decline', render: (operation) => operation.declineCode ?? '—' },
          { header: 'Key', render: (operation) => <code className="small">{operation.idempotencyKey}</code> },
          {
            header: 'Took',
            className: 'num',
            render: (operation) => (operation.durationMs === null ? '—' : `${operation.durationMs} ms`),
          },
        ]}
      />
    </details>
  );
}

/** The card side of a payment in the dashboard; nothing when no card was ever tried on it. */
export function CardActivity({ payment: paymentRef }: { payment: FragmentType<typeof PaymentCardFields> }) {
  const payment = useFragment(PaymentCardFields, paymentRef);
  if (payment.cardCharges.length === 0) return null;
  const left = refundable(payment.cardCharges);
  const authorised = payment.cardCharges.some((charge) => charge.status === 'AUTHORISED');
  const canRefund =
    left && /[1-9]/.test(left.amount) && (payment.status === 'PAID' || payment.status === 'PARTIALLY_PAID');
  return (
    <>
      <Card title="Card">
        <div className="stack">
          <DataTable<Charge>
            caption="Card charges"
            rows={payment.cardCharges}
            rowKey={(charge) => charge.id}
            empty=""
            columns={[
              { header: 'Time', className: 'nowrap', render: (charge) => <Time value={charge.createdAt} /> },
              {
                header: 'Card',
                className: 'nowrap',
                render: (charge) => (
                  <span>
                    {charge.brand} •••• {charge.last4}
                  </span>
                ),
              },
              {
                header: 'Status',
                render: (charge) => (
                  <span className="tags">
                    <StatusBadge status={charge.status} tones={CHARGE_TONES} />
                    {charge.declineCode && <span className="muted small">{humanize(charge.declineCode)}</span>}
                  </span>
                ),
              },
              { header: 'Amount', className: 'num', render: (charge) => <Money money={charge.amount} /> },
              { header: 'Captured', className: 'num', render: (charge) => <Money money={charge.captured} /> },
              { header: 'Refunded', className: 'num', render: (charge) => <Money money={charge.refunded} /> },
            ]}
          />
          {payment.cardCharges.map((charge) => (
            <Attempts key={charge.id} charge={charge} />
          ))}
          {authorised && <CaptureOrVoid paymentId={payment.id} />}
          {canRefund && left && (
            <>
              <h3>Refund</h3>
              <RefundForm paymentId={payment.id} left={left} />
            </>
          )}
        </div>
      </Card>
      {payment.refunds.length > 0 && (
        <Card title="Refunds">
          <DataTable<Refund>
            caption="Refunds"
            rows={payment.refunds}
            rowKey={(refund) => refund.id}
            empty=""
            columns={[
              { header: 'Time', className: 'nowrap', render: (refund) => <Time value={refund.createdAt} /> },
              {
                header: 'Status',
                render: (refund) => (
                  <span className="tags">
                    <StatusBadge status={refund.status} tones={REFUND_TONES} />
                    {refund.declineCode && <span className="muted small">{humanize(refund.declineCode)}</span>}
                  </span>
                ),
              },
              { header: 'Amount', className: 'num', render: (refund) => <Money money={refund.amount} /> },
            ]}
          />
        </Card>
      )}
      {payment.chargebacks.length > 0 && (
        <Card title="Chargebacks">
          <DataTable<Chargeback>
            caption="Chargebacks"
            rows={payment.chargebacks}
            rowKey={(chargeback) => chargeback.id}
            empty=""
            columns={[
              { header: 'Opened', className: 'nowrap', render: (chargeback) => <Time value={chargeback.openedAt} /> },
              {
                header: 'Status',
                render: (chargeback) => <StatusBadge status={chargeback.status} tones={CHARGEBACK_TONES} />,
              },
              { header: 'Reason', render: (chargeback) => chargeback.reason },
              {
                header: 'Evidence',
                render: (chargeback) =>
                  chargeback.evidence ? (
                    <span style={{ whiteSpace: 'pre-wrap' }}>{chargeback.evidence}</span>
                  ) : (
                    <span className="muted">none yet</span>
                  ),
              },
              {
                header: 'Resolved',
                className: 'nowrap',
                render: (chargeback) => <Time value={chargeback.resolvedAt} />,
              },
              { header: 'Amount', className: 'num', render: (chargeback) => <Money money={chargeback.amount} /> },
            ]}
          />
        </Card>
      )}
    </>
  );
}
