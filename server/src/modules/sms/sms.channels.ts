import type { SmsChannel } from './sms.channel';

/** Channels that can send replies, tried in registration order; the first whose provider matches wins. */
const channels: SmsChannel[] = [];

/** Registers a link that sends replies (SMPP, HTTP send URL, simulator). Registering the same object twice is a no-op. */
export function registerSmsChannel(channel: SmsChannel): void {
  if (!channels.includes(channel)) channels.push(channel);
}

/** Removes a channel (a stopped SMPP bind, a test's fake). */
export function unregisterSmsChannel(channel: SmsChannel): void {
  const index = channels.indexOf(channel);
  if (index >= 0) channels.splice(index, 1);
}

/** The channel that sends for a provider: an exact name, or a prefix ending in ':' (e.g. 'smpp:' for 'smpp:smsc1'). */
export function channelFor(provider: string): SmsChannel | null {
  // Last registered first, so a test or a reconnected bind can take over from an older registration.
  for (let i = channels.length - 1; i >= 0; i--) {
    const channel = channels[i]!;
    if (channel.providers.some((p) => p === provider || (p.endsWith(':') && provider.startsWith(p)))) return channel;
  }
  return null;
}
