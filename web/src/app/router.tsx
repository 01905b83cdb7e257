import type { ReactElement } from 'react';
import { createBrowserRouter, Link, Navigate, Outlet } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { BuyCodePage, CodePurchasePage, CodeResultPage } from '../features/access-codes/BuyCodePage';
import { AccessCodeServicePage } from '../features/access-codes/AccessCodeServicePage';
import { AccessCodesPage } from '../features/access-codes/AccessCodesPage';
import { ApiKeysPage } from '../features/api-keys/ApiKeysPage';
import { AuditLogPage } from '../features/audit/AuditLogPage';
import { PayerCreditPage } from '../features/credit/PayerCreditPage';
import { ChargebacksPage } from '../features/card/ChargebacksPage';
import { FeePlansPage } from '../features/fee-plans/FeePlansPage';
import { LedgerAdminPage } from '../features/ledger/LedgerAdminPage';
import { LedgerPage } from '../features/ledger/LedgerPage';
import { MailPage } from '../features/mail/MailPage';
import { MerchantsPage } from '../features/merchants/MerchantsPage';
import { MerchantPage } from '../features/merchants/MerchantPage';
import { InvitePage } from '../features/invite/InvitePage';
import { OutboxMessagePage } from '../features/outbox/OutboxMessagePage';
import { OutboxPage } from '../features/outbox/OutboxPage';
import { PayerPage } from '../features/pay/PayerPage';
import { AdminPayoutsPage } from '../features/payouts/AdminPayoutsPage';
import { PayoutsPage } from '../features/payouts/PayoutsPage';
import { StatementsPage } from '../features/payouts/StatementsPage';
import { PaymentPage } from '../features/payments/PaymentPage';
import { PaymentsPage } from '../features/payments/PaymentsPage';
import { PursePage } from '../features/purses/PursePage';
import { PursePayPage } from '../features/purses/PursePayPage';
import { PursesPage } from '../features/purses/PursesPage';
import { OperatorSettlementPage } from '../features/reconciliation/OperatorSettlementPage';
import { PayoutReconciliationPage } from '../features/reconciliation/PayoutReconciliationPage';
import { PublicSimulatorPage, SimulatorPage } from '../features/simulator/SimulatorPage';
import { SmsMessagesPage } from '../features/sms/SmsMessagesPage';
import { SuspensePage } from '../features/suspense/SuspensePage';
import { TariffsPage } from '../features/tariffs/TariffsPage';
import { MerchantTariffsPage } from '../features/tariffs/MerchantTariffsPage';
import { TeamPage } from '../features/team/TeamPage';
import { PurchasePage } from '../features/voucher-shop/PurchasePage';
import { ShopPage } from '../features/voucher-shop/ShopPage';
import { VoucherAdminPage } from '../features/vouchers/VoucherAdminPage';
import { VoucherProjectPage } from '../features/vouchers/VoucherProjectPage';
import { VoucherProjectsPage } from '../features/vouchers/VoucherProjectsPage';
import { WebhookEndpointPage } from '../features/webhooks/WebhookEndpointPage';
import { WebhooksPage } from '../features/webhooks/WebhooksPage';
import { OverviewPage } from '../features/merchant/OverviewPage';
import { AlertsPage } from '../features/alerts/AlertsPage';
import { Shell, ShellFrame, type NavItem } from './Shell';
import { useMatchedTitle, useRouteTitle, type RouteHandle } from './useDocumentTitle';
import { HomeRedirect, RequireViewer } from './viewer';

interface AreaPage {
  /** Relative to the area's root; "" is its index page. */
  path: string;
  /** Pages with a label are in the navigation; detail pages are not. */
  label?: string;
  /** A detail page's default title (the page may name its object once loaded). */
  title?: string;
  element: ReactElement;
}

/** The merchant dashboard's pages, in navigation order. */
const merchantPages: AreaPage[] = [
  { path: '', label: 'Overview', element: <OverviewPage /> },
  { path: 'payments', label: 'Payments', element: <PaymentsPage /> },
  { path: 'payments/:paymentId', title: 'Payment', element: <PaymentPage /> },
  { path: 'chargebacks', label: 'Chargebacks', element: <ChargebacksPage /> },
  { path: 'payouts', label: 'Payouts', element: <PayoutsPage /> },
  { path: 'statements', label: 'Statements', element: <StatementsPage /> },
  { path: 'purses', label: 'Purses', element: <PursesPage /> },
  { path: 'purses/:purseId', title: 'Purse', element: <PursePage /> },
  { path: 'access-codes', label: 'Access codes', element: <AccessCodesPage /> },
  { path: 'access-codes/:serviceId', title: 'Access-code service', element: <AccessCodeServicePage /> },
  { path: 'vouchers', label: 'Vouchers', element: <VoucherProjectsPage /> },
  { path: 'vouchers/:projectId', title: 'Voucher project', element: <VoucherProjectPage /> },
  { path: 'sms', label: 'SMS', element: <SmsMessagesPage /> },
  { path: 'tariffs', label: 'Tariffs', element: <MerchantTariffsPage /> },
  { path: 'ledger', label: 'Ledger', element: <LedgerPage /> },
  { path: 'credit', label: 'Payer credit', element: <PayerCreditPage /> },
  { path: 'api-keys', label: 'API keys', element: <ApiKeysPage /> },
  { path: 'team', label: 'Team', element: <TeamPage /> },
  { path: 'webhooks', label: 'Webhooks', element: <WebhooksPage /> },
  { path: 'webhooks/:endpointId', title: 'Webhook endpoint', element: <WebhookEndpointPage /> },
  { path: 'alerts', label: 'Alerts', element: <AlertsPage /> },
  { path: 'audit', label: 'Audit log', element: <AuditLogPage /> },
  { path: 'simulator', label: 'SMS simulator', element: <SimulatorPage /> },
];

/** The admin console's pages, in navigation order. */
const adminPages: AreaPage[] = [
  { path: 'merchants', label: 'Merchants', element: <MerchantsPage /> },
  { path: 'merchants/:merchantId', element: <MerchantPage /> },
  { path: 'fee-plans', label: 'Fee plans', element: <FeePlansPage /> },
  { path: 'chargebacks', label: 'Chargebacks', element: <ChargebacksPage /> },
  { path: 'payouts', label: 'Payouts', element: <AdminPayoutsPage /> },
  { path: 'reconciliation', label: 'Reconciliation', element: <PayoutReconciliationPage /> },
  { path: 'operator-settlement', label: 'Operator settlement', element: <OperatorSettlementPage /> },
  { path: 'sms', label: 'SMS', element: <SmsMessagesPage /> },
  { path: 'tariffs', label: 'Tariffs', element: <TariffsPage /> },
  { path: 'vouchers', label: 'Vouchers', element: <VoucherAdminPage /> },
  { path: 'ledger', label: 'Ledger', element: <LedgerAdminPage /> },
  { path: 'suspense', label: 'Suspense', element: <SuspensePage /> },
  { path: 'credit', label: 'Payer credit', element: <PayerCreditPage /> },
  { path: 'outbox', label: 'Outbox', element: <OutboxPage /> },
  { path: 'outbox/:messageId', title: 'Outbox message', element: <OutboxMessagePage /> },
  { path: 'mail', label: 'Mail', element: <MailPage /> },
  { path: 'audit', label: 'Audit log', element: <AuditLogPage /> },
  { path: 'simulator', label: 'SMS simulator', element: <SimulatorPage /> },
];

function nav(pages: AreaPage[]): NavItem[] {
  return pages.flatMap((page) => (page.label ? [{ path: page.path, label: page.label }] : []));
}

function NotFound() {
  return (
    <main className="auth">
      <div className="auth__panel">
        <h1>Page not found</h1>
        <p className="muted">There is nothing at this address.</p>
        <Link to="/" className="button button--primary">
          Go to the start page
        </Link>
      </div>
    </main>
  );
}

function routes(pages: AreaPage[]) {
  return pages.map((page) => {
    const handle: RouteHandle = { title: page.label ?? page.title };
    return page.path
      ? { path: page.path, element: page.element, handle }
      : { index: true, element: page.element, handle };
  });
}

/** Every route: the tab's title from the matched route's handle, before its page names something more precise. */
function Titled() {
  useRouteTitle(useMatchedTitle());
  return <Outlet />;
}

const title = (text: string): RouteHandle => ({ title: text });

export const router = createBrowserRouter([
  {
    element: <Titled />,
    children: [
      { path: '/', element: <HomeRedirect /> },
      { path: '/login', element: <LoginPage />, handle: title('Log in') },
      // The emailed team invitation: set a name and password, then logged in.
      { path: '/invite/:token', element: <InvitePage />, handle: title('Join the team') },
      { path: '/pay/:token', element: <PayerPage />, handle: title('Payment') },
      // A voucher project's public pages (seed V2: the link is the whole integration); no login.
      { path: '/p/:slug', element: <ShopPage />, handle: title('Vouchers') },
      { path: '/p/:slug/pay/:token', element: <PurchasePage />, handle: title('Voucher purchase') },
      // An access-code service's public page when it sells codes by card: email, card, then the code on the page.
      { path: '/codes/:serviceId', element: <BuyCodePage />, handle: title('Access code') },
      { path: '/codes/:serviceId/pay/:token', element: <CodePurchasePage />, handle: title('Access code') },
      // Tollgate's own landing pages for a code check's outcome (paid, expired, invalid), in the payer's language.
      { path: '/codes/:serviceId/result/:outcome', element: <CodeResultPage />, handle: title('Access code') },
      // Where POST /bank/ sends the payer (sms:bank): its own minimal layout, language from ?lang=.
      { path: '/bank/pay/:token', element: <PursePayPage />, handle: title('Payment') },
      // No login: the simulator plays the payer, who has none (the server refuses it in production).
      { path: '/simulator', element: <PublicSimulatorPage />, handle: title('SMS simulator') },
      {
        path: '/dashboard',
        element: (
          <RequireViewer
            area="merchant"
            frame={(state) => (
              <ShellFrame area="merchant" nav={nav(merchantPages)}>
                {state}
              </ShellFrame>
            )}
          >
            <Shell area="merchant" nav={nav(merchantPages)} />
          </RequireViewer>
        ),
        children: [...routes(merchantPages), { path: '*', element: <Navigate to="/dashboard" replace /> }],
      },
      {
        path: '/admin',
        element: (
          <RequireViewer
            area="admin"
            frame={(state) => (
              <ShellFrame area="admin" nav={nav(adminPages)}>
                {state}
              </ShellFrame>
            )}
          >
            <Shell area="admin" nav={nav(adminPages)} />
          </RequireViewer>
        ),
        children: [
          { index: true, element: <Navigate to="merchants" replace /> },
          ...routes(adminPages),
          { path: '*', element: <Navigate to="/admin" replace /> },
        ],
      },
      { path: '*', element: <NotFound />, handle: title('Page not found') },
    ],
  },
]);
