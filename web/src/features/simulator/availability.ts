import type { CombinedError } from 'urql';
import { useQuery } from 'urql';
import { graphql } from '../../gql';

// A phone nobody uses (555-0100 is reserved for fiction): the answer is an empty inbox where the simulator runs,
// NOT_AVAILABLE where it does not.
const SimulatorProbeDocument = graphql(`
  query SimulatorProbe {
    simulatorOutbox(phone: "+12025550100") {
      id
    }
  }
`);

/** Whether the server refused because the simulator is off (production). */
export function isSimulatorOff(error: CombinedError | undefined): boolean {
  return Boolean(error?.graphQLErrors.some((e) => e.extensions?.code === 'NOT_AVAILABLE'));
}

/** Whether this server runs the SMS simulator (development and test): true, false, or null while asking. */
export function useSimulatorAvailable(enabled = true): boolean | null {
  const [{ data, error }] = useQuery({ query: SimulatorProbeDocument, pause: !enabled });
  if (data) return true;
  if (error) return false;
  return null;
}

/** The simulator, its phone filled in to send one SMS. */
export function simulatorLink(sms: { to?: string | null; text?: string; country?: string | null }): string {
  const params = new URLSearchParams();
  if (sms.country) params.set('country', sms.country);
  if (sms.to) params.set('to', sms.to);
  if (sms.text) params.set('text', sms.text);
  const query = params.toString();
  return `/simulator${query ? `?${query}` : ''}`;
}
