import type { SmsChannel } from './sms.channel';

/** Channels that can send replies; a later registration for the same provider wins (a re-established bind). */
const channels: SmsChannel[] = [];

/** Registers a link that sends replies (SMPP, a test's fake). Registering the same object twice is a no-op. */
export function registerSmsChannel(channel: SmsChannel): void {
  if (!channels.includes(channel)) channels.push(channel);
}

/** Removes a channel (a closed SMPP bind, a test's fake). */
export function unregisterSmsChannel(channel: SmsChannel): void {
  const index = channels.indexOf(channel);
  if (index >= 0) channels.splice(index, 1);
}

/** Whether `provider` is one a channel's `providers` entry names: exactly, or by a prefix ending in ':'. */
export function servesProvider(channel: SmsChannel, provider: string): boolean {
  return channel.providers.some((p) => p === provider || (p.endsWith(':') && provider.startsWith(p)));
}

/** The registered channel that sends for a provider, the most recently registered first; null when none does. */
export function registeredChannelFor(provider: string): SmsChannel | null {
  for (let i = channels.length - 1; i >= 0; i--) {
    if (servesProvider(channels[i], provider)) return channels[i];
  }
  return null;
}
