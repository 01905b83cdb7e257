import type { CombinedError } from 'urql';
import { Link } from 'react-router';
import { isSessionEnded } from '../session';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state--loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** A failed query or mutation: what went wrong, and a retry when one might help. */
export function ErrorState({ error, onRetry }: { error: CombinedError; onRetry?: () => void }) {
  if (isSessionEnded(error)) {
    return (
      <div className="state state--error" role="alert">
        Your session has ended. <Link to="/login">Log in again</Link>
      </div>
    );
  }
  const message = error.networkError
    ? 'Tollgate cannot be reached. Check your connection and try again.'
    : error.graphQLErrors.map((e) => e.message).join('; ') || error.message;
  return (
    <div className="state state--error" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="button button--small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <div className="state state--empty">{children}</div>;
}
