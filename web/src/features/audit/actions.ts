const LABELS: Record<string, string> = {
  'apiKey.create': 'API key created',
  'apiKey.revoke': 'API key revoked',
  'payment.create': 'Payment created',
  'payment.cancel': 'Payment cancelled',
  'team.add': 'Team member added',
  'team.remove': 'Team member removed',
  'merchant.create': 'Merchant created',
  'webhookEndpoint.create': 'Webhook endpoint added',
  'webhookEndpoint.update': 'Webhook endpoint changed',
  'webhookEndpoint.delete': 'Webhook endpoint deleted',
  'webhookEndpoint.revealSecret': 'Webhook secret revealed',
  'webhookDelivery.replay': 'Webhook delivery replayed',
  'outbox.retry': 'Outbox message retried',
  'ledger.adjust': 'Ledger adjusted',
  'team.invite': 'Team member invited',
  'team.invite_accept': 'Invitation accepted',
  'team.invite_revoke': 'Invitation revoked',
  'team.invite_resend': 'Invitation sent again',
  'team.role_change': 'Team role changed',
  'auth.totp_enabled': 'Two-factor login turned on',
  'auth.totp_disabled': 'Two-factor login turned off',
  'merchant.suspend': 'Merchant suspended',
  'merchant.resume': 'Merchant resumed',
};

/** Audit actions the filter suggests. */
export const KNOWN_ACTIONS = Object.keys(LABELS);

/** A readable label for an audit action; unknown actions (new modules) show as recorded. */
export function describeAction(action: string): string {
  return LABELS[action] ?? action;
}
