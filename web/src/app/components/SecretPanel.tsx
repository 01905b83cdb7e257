import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';

/** A secret on screen: the value, a copy button, a warning, and a way to put it away. */
export function SecretPanel({
  title,
  secret,
  warning,
  doneLabel = 'Done',
  onDone,
  testId,
}: {
  title: string;
  secret: string;
  warning: ReactNode;
  doneLabel?: string;
  onDone: () => void;
  testId?: string;
}) {
  return (
    <div className="secret" role="status" aria-label={title}>
      <h3>{title}</h3>
      <p className="notice notice--warn">{warning}</p>
      <div className="secret__value">
        <code data-testid={testId}>{secret}</code>
        <CopyButton text={secret} />
      </div>
      <button type="button" className="button" onClick={onDone}>
        {doneLabel}
      </button>
    </div>
  );
}
