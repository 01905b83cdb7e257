import { Link } from 'react-router';
import { Page } from '../../app/components/Page';
import { Simulator } from './Simulator';

/** The simulator inside the dashboard and the admin console. */
export function SimulatorPage() {
  return (
    <Page
      title="SMS simulator"
      description={
        <>
          Play a payer: send an SMS from a made-up phone and watch the payment and the replies. Development and test
          only. Payers can use the <Link to="/simulator">stand-alone simulator</Link> without a login.
        </>
      }
    >
      <Simulator />
    </Page>
  );
}

/** `/simulator`: the same phone without a login, where the payer page's "Simulate this SMS" leads. */
export function PublicSimulatorPage() {
  return (
    <main className="standalone">
      <header className="standalone__header">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </div>
        <h1>SMS simulator</h1>
        <p className="muted">
          Development and test only: send an SMS from a made-up phone, as a payer would, and read the replies.
        </p>
      </header>
      <Simulator />
    </main>
  );
}
