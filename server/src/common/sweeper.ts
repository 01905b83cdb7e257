import { log } from './log';

/**
 * A background loop for sweeps (expiring payments, releasing reservations and credit): runs `round` every
 * `intervalMs`, back to back while a round reports a full batch, and never two rounds at once. `stop()` lets a
 * running round finish.
 */
export function startSweeper(
  name: string,
  round: () => Promise<boolean>,
  options: { intervalMs?: number; quiet?: boolean } = {},
): { stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | null = null;
  const tick = () => {
    current = (async () => {
      try {
        while (!stopped && (await round()));
      } catch (error) {
        if (!options.quiet) log.error({ err: error, sweeper: name }, `${name}: round failed`);
      }
      current = null;
      if (!stopped) timer = setTimeout(tick, intervalMs);
    })();
  };
  timer = setTimeout(tick, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
