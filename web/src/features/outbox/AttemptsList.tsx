import { Time } from '../../app/components/Time';
import { DeliveryStatusBadge } from './status';

export interface Attempt {
  id: string;
  startedAt: string;
  durationMs: number;
  outcome: string;
  httpStatus?: number | null;
  error?: string | null;
  detail?: string | null;
}

/** Every try at a delivery, oldest first: when, how long, and what came back. */
export function AttemptsList({ attempts }: { attempts: readonly Attempt[] }) {
  if (attempts.length === 0) return <p className="muted">Not attempted yet.</p>;
  return (
    <ol className="attempts">
      {attempts.map((attempt, index) => (
        <li key={attempt.id} className={attempt.outcome === 'FAILED' ? 'attempts__item--failed' : undefined}>
          <div className="attempts__head">
            <span className="muted">#{index + 1}</span>
            <DeliveryStatusBadge status={attempt.outcome} />
            {attempt.httpStatus != null && <code>HTTP {attempt.httpStatus}</code>}
            <span className="muted">
              <Time value={attempt.startedAt} /> · {attempt.durationMs} ms
            </span>
          </div>
          {attempt.error && <p className="attempts__error">{attempt.error}</p>}
          {attempt.detail && <p className="muted small">{attempt.detail}</p>}
        </li>
      ))}
    </ol>
  );
}
