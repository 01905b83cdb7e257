import { useEffect, useRef, useState, type ReactNode } from 'react';
import { FormErrors } from './Field';

/**
 * A confirmation in place of the button that asks for it (no window.confirm): the button opens a box with what
 * will happen, a confirm and a keep button. `onConfirm` answers an error message to show, or nothing to close.
 */
export function ConfirmBox({
  trigger,
  triggerClassName = 'button button--danger-quiet',
  triggerAriaLabel,
  label,
  children,
  confirmLabel,
  cancelLabel = 'Keep',
  inline = false,
  danger = true,
  onConfirm,
  open: controlledOpen,
  onOpenChange,
}: {
  /** The button's text; omit with `open` to control the box from outside. */
  trigger?: ReactNode;
  triggerClassName?: string;
  triggerAriaLabel?: string;
  /** The box's accessible name. */
  label: string;
  /** What will happen. */
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** Small buttons in a table row instead of a box. */
  inline?: boolean;
  danger?: boolean;
  onConfirm: () => Promise<string | null | undefined | void> | string | null | undefined | void;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
}) {
  const [ownOpen, setOwnOpen] = useState(false);
  const open = controlledOpen ?? ownOpen;
  const setOpen = (next: boolean) => {
    setOwnOpen(next);
    onOpenChange?.(next);
  };
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) cancelRef.current?.focus();
  }, [open]);

  if (!open) {
    if (trigger === undefined) return null;
    return (
      <button
        type="button"
        className={triggerClassName}
        aria-label={triggerAriaLabel}
        onClick={() => {
          setFailure(null);
          setOpen(true);
        }}
      >
        {trigger}
      </button>
    );
  }

  const confirm = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const message = await onConfirm();
      if (message) setFailure(message);
      else setOpen(false);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const size = inline ? ' button--small' : ' button--small';
  const buttons = (
    <>
      <button
        type="button"
        className={(danger ? 'button button--danger' : 'button button--primary') + size}
        disabled={busy}
        onClick={() => void confirm()}
      >
        {confirmLabel}
      </button>
      <button
        ref={cancelRef}
        type="button"
        className={'button' + size}
        onClick={() => {
          setFailure(null);
          setOpen(false);
        }}
      >
        {cancelLabel}
      </button>
    </>
  );
  if (inline)
    return (
      <span className="confirm" role="group" aria-label={label}>
        {failure && (
          <span className="field__error" role="alert">
            {failure}
          </span>
        )}
        {buttons}
      </span>
    );
  return (
    <div className="notice notice--warn confirm-box" role="alertdialog" aria-label={label}>
      <FormErrors messages={failure ? [failure] : []} />
      {children}
      <div className="button-row">{buttons}</div>
    </div>
  );
}
