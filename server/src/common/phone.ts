/** "+359888123456" → "+359******456": enough for a merchant to tell payers apart, not to call them. */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length);
  return phone.slice(0, 4) + '*'.repeat(phone.length - 7) + phone.slice(-3);
}
