import { useCallback, useEffect, useRef, useState } from 'react';
import { useMutation, type AnyVariables, type OperationContext, type TypedDocumentNode } from 'urql';

export interface UserErrorLike {
  field?: readonly string[] | null;
  code?: string | null;
  message: string;
}

interface PayloadLike {
  userErrors: readonly UserErrorLike[];
}

export interface FormErrorState {
  /** Messages per known field ("amount", "entries.1.amount"). */
  byField: Record<string, string>;
  /** Entries naming no known field, and failed requests. */
  form: string[];
}

const NO_ERRORS: FormErrorState = { byField: {}, form: [] };

/**
 * Where a userError belongs: its path inside the input (["input", "entries", "1", "amount"] → "entries.1.amount"),
 * else the nearest known enclosing path ("scopes.0" → "scopes"), else a known field named by its last part.
 */
export function fieldOf(path: readonly string[] | null | undefined, fields: readonly string[]): string | null {
  const parts = (path ?? []).filter((part, index) => !(index === 0 && part === 'input'));
  for (let length = parts.length; length > 0; length--) {
    const key = parts.slice(0, length).join('.');
    if (fields.includes(key)) return key;
  }
  const last = parts[parts.length - 1];
  return last && fields.includes(last) ? last : null;
}

/** Every userError at once: each known field gets its messages, the rest are the form's. */
export function mapUserErrors(errors: readonly UserErrorLike[] | undefined, fields: readonly string[]): FormErrorState {
  const byField: Record<string, string> = {};
  const form: string[] = [];
  for (const error of errors ?? []) {
    const field = fieldOf(error.field, fields);
    if (field) byField[field] = byField[field] ? `${byField[field]} ${error.message}` : error.message;
    else if (!form.includes(error.message)) form.push(error.message);
  }
  return { byField, form };
}

/**
 * Runs a mutation whose payload carries `userErrors { field code message }` for a form:
 * `submit(variables)` resolves to the payload when it succeeded (null otherwise); `errors.byField` holds the
 * messages to show beside the inputs, `errors.form` the general ones; the first invalid input (in the order of the
 * form, found by `aria-invalid` on the element with `formRef`) gets the focus.
 */
export function useFormMutation<Data, Variables extends AnyVariables, Payload extends PayloadLike>(
  document: TypedDocumentNode<Data, Variables>,
  payloadOf: (data: Data) => Payload | null | undefined,
  fields: readonly string[] = [],
) {
  const [result, execute] = useMutation<Data, Variables>(document);
  const [errors, setErrors] = useState<FormErrorState>(NO_ERRORS);
  const [attempt, setAttempt] = useState(0);
  // A callback ref (state, not a ref object): the returned object stays readable during render.
  const [formElement, setFormElement] = useState<HTMLFormElement | null>(null);
  const payloadOfRef = useRef(payloadOf);
  const fieldsRef = useRef(fields);
  useEffect(() => {
    payloadOfRef.current = payloadOf;
    fieldsRef.current = fields;
  });

  // After a refused submit, once the messages are on screen: focus the first input marked invalid.
  useEffect(() => {
    if (attempt === 0) return;
    const invalid = formElement?.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.focus();
    // Only after a refused submit, not when the form element changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt]);

  const submit = useCallback(
    async (variables: Variables, context?: Partial<OperationContext>): Promise<Payload | null> => {
      const response = await execute(variables, context);
      const payload = response.data ? payloadOfRef.current(response.data) : null;
      if (response.error || !payload) {
        setErrors({ byField: {}, form: [response.error?.message ?? 'The change could not be made.'] });
        return null;
      }
      if (payload.userErrors.length > 0) {
        setErrors(mapUserErrors(payload.userErrors, fieldsRef.current));
        setAttempt((count) => count + 1);
        return null;
      }
      setErrors(NO_ERRORS);
      return payload;
    },
    [execute],
  );

  const clearErrors = useCallback(() => setErrors(NO_ERRORS), []);

  return {
    submit,
    fetching: result.fetching,
    /** The last request's failure (network or GraphQL error), if any. */
    requestError: result.error,
    errors,
    /** The message for one field, for `<Field error=…>`. */
    fieldError: (field: string): string | undefined => errors.byField[field],
    /** For `<form ref={form.attach}>`: where the first invalid input is looked for. */
    attach: setFormElement,
    clearErrors,
    /** Mark extra (client-side) errors the same way, e.g. mismatched passwords. */
    setErrors: (next: FormErrorState) => {
      setErrors(next);
      setAttempt((count) => count + 1);
    },
  };
}
