import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A list's filters kept in the URL's query string, so a view can be shared and survives a reload. Each named filter
 * is a string ("" when unset); setting one to "" or null removes it from the URL. Changes replace the history entry:
 * Back leaves the list rather than stepping through every keystroke of a filter.
 */
export function useUrlFilters<K extends string>(
  names: readonly K[],
): {
  values: Record<K, string>;
  set: (patch: Partial<Record<K, string | null>>) => void;
  active: boolean;
} {
  const [params, setParams] = useSearchParams();
  const key = names.join();
  const values = useMemo(
    () => Object.fromEntries(key.split(',').map((name) => [name, params.get(name) ?? ''])) as Record<K, string>,
    [params, key],
  );
  const set = useCallback(
    (patch: Partial<Record<K, string | null>>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [name, value] of Object.entries<string | null | undefined>(patch)) {
            if (value) next.set(name, value);
            else next.delete(name);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const active = Object.values<string>(values).some(Boolean);
  return { values, set, active };
}

/** One of `allowed`, or "" when the URL holds anything else (a hand-edited or outdated link). */
export function oneOf<V extends string>(value: string, allowed: readonly V[]): V | '' {
  return (allowed as readonly string[]).includes(value) ? (value as V) : '';
}
