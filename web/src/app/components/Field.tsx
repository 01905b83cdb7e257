import { useId, type ReactNode } from 'react';

interface UserErrorLike {
  field?: readonly string[] | null;
  message: string;
}

/**
 * Splits a payload's userErrors by input: an error's field path ends with the input's name. Errors naming no
 * known input are the form's own.
 */
export function splitUserErrors(errors: readonly UserErrorLike[] | undefined, inputs: readonly string[]) {
  const byField: Record<string, string> = {};
  const form: string[] = [];
  for (const error of errors ?? []) {
    const name = error.field?.[error.field.length - 1];
    if (name && inputs.includes(name) && !byField[name]) byField[name] = error.message;
    else form.push(error.message);
  }
  return { byField, form };
}

/**
 * For inputs with lists (["input", "entries", "1", "amount"]): errors keyed by their path inside the input,
 * "entries.1.amount"; keys not in `paths` are the form's own.
 */
export function splitUserErrorsByPath(errors: readonly UserErrorLike[] | undefined, paths: readonly string[]) {
  const byPath: Record<string, string> = {};
  const form: string[] = [];
  for (const error of errors ?? []) {
    const path = (error.field ?? []).filter((part, index) => !(index === 0 && part === 'input')).join('.');
    if (path && paths.includes(path) && !byPath[path]) byPath[path] = error.message;
    else form.push(error.message);
  }
  return { byPath, form };
}

/** A labelled input with its hint and, beside it, the error the API gave for it. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && !error && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Errors of the whole form: userErrors naming no field, and failed requests. */
export function FormErrors({ messages }: { messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="form-errors" role="alert">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}
