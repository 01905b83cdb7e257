import { createHash } from 'node:crypto';
import smpp from 'smpp';
import type { InboundSms, OutboundSms } from '../sms';

/** The command_status values the link sends (SMPP 3.4 §5.1.3). */
export const SmppStatus = {
  OK: 0x00,
  /** "Receiver temporary app error": the SMSC keeps the message and delivers it again later. */
  TEMPORARY_ERROR: 0x64,
  /** "Receiver permanent app error": the SMSC stops trying; only for PDUs that can never be stored. */
  PERMANENT_ERROR: 0x65,
} as const;

/** "ESME_RINVPASWD (0x0e)" for logs and errors. */
export function statusName(status: number): string {
  const name = Object.keys(smpp.errors).find((key) => smpp.errors[key] === status) ?? 'unknown status';
  return `${name} (0x${status.toString(16).padStart(2, '0')})`;
}

/** A deliver_sm that cannot be turned into an SMS however often it is retried. */
export class MalformedPduError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPduError';
  }
}

/** What the link knows that a PDU doesn't say. */
export interface LinkProfile {
  provider: string;
  country: string;
  operator: string | null;
}

// esm_class bits 2-5 give the message type (SMPP 3.4 §5.2.12); 0 is an ordinary SMS from a phone.
const ESM_MESSAGE_TYPE = 0x3c;
const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_INTERMEDIATE_NOTIFICATION = 0x20;
const TON_INTERNATIONAL = 0x01;
const TON_ALPHANUMERIC = 0x05;
const NPI_ISDN = 0x01;

/** 'sms' from a phone, an SMSC delivery 'receipt', or an SME acknowledgement ('other') Tollgate has no use for. */
export function deliverKind(pdu: smpp.PDU): 'sms' | 'receipt' | 'other' {
  const type = int(pdu.esm_class) & ESM_MESSAGE_TYPE;
  if (type === 0) return 'sms';
  if (type === ESM_DELIVERY_RECEIPT || type === ESM_INTERMEDIATE_NOTIFICATION) return 'receipt';
  return 'other';
}

/**
 * The SMS a deliver_sm carries, as the pipeline takes it. The phone number gets a leading '+' when the SMSC marks it
 * international (TON 1), so replies can be addressed the same way. Country and operator come from the link's
 * configuration: SMPP has no standard field for either.
 *
 * The message id: a deliver_sm from a phone has no id of its own (SMPP 3.4 §4.6.1). When the SMSC sets
 * receipted_message_id anyway, that is the id; otherwise it is `sha256:` and a hash of everything the SMSC sends
 * about the message (addresses with their TON/NPI, esm_class, data_coding, UDH, segment TLVs, the phone's message
 * reference in user_message_reference, text). A redelivery — after a lost, late or negative deliver_sm_resp —
 * repeats all of it, so it finds the first copy and counts once. The price, with an SMSC that passes neither id nor
 * user_message_reference: the same phone sending the very same text to the same short code twice (paying a payment
 * that takes several SMS) counts once too. SMSCs that pass the phone's TP-MR as user_message_reference avoid it.
 */
export function toInboundSms(pdu: smpp.PDU, profile: LinkProfile): InboundSms {
  const from = str(pdu.source_addr);
  const to = str(pdu.destination_addr);
  if (!from || !to) throw new MalformedPduError('deliver_sm without source_addr or destination_addr');
  const { text, udh } = messageOf(pdu);
  const sentId = str(pdu.receipted_message_id);
  const messageId =
    sentId ||
    'sha256:' +
      createHash('sha256')
        .update(
          JSON.stringify([
            int(pdu.source_addr_ton),
            int(pdu.source_addr_npi),
            from,
            int(pdu.dest_addr_ton),
            int(pdu.dest_addr_npi),
            to,
            int(pdu.esm_class),
            int(pdu.data_coding),
            udh,
            int(pdu.sar_msg_ref_num),
            int(pdu.sar_total_segments),
            int(pdu.sar_segment_seqnum),
            pdu.user_message_reference ?? null,
            text,
          ]),
        )
        .digest('hex')
        .slice(0, 40);
  return {
    provider: profile.provider,
    messageId,
    from: int(pdu.source_addr_ton) === TON_INTERNATIONAL && !from.startsWith('+') ? `+${from}` : from,
    to,
    text,
    country: profile.country,
    operator: profile.operator,
  };
}

/** What a delivery receipt says: which submitted message, and its final state (null: not final yet). */
export interface Receipt {
  providerMessageId: string;
  state: 'DELIVERED' | 'FAILED' | null;
  /** For a failure: the state and error code as the SMSC gave them, e.g. "UNDELIV err:001". */
  detail: string | null;
}

// message_state TLV values (SMPP 3.4 §5.3.2.35) and the receipt text's "stat:" words (Appendix B) that are final.
const FINAL_STATES: Record<number, Receipt['state']> = {
  2: 'DELIVERED',
  3: 'FAILED',
  4: 'FAILED',
  5: 'FAILED',
  8: 'FAILED',
};
const FINAL_STAT_WORDS: Record<string, Receipt['state']> = {
  DELIVRD: 'DELIVERED',
  EXPIRED: 'FAILED',
  DELETED: 'FAILED',
  UNDELIV: 'FAILED',
  REJECTD: 'FAILED',
};

/**
 * Reads a delivery receipt. SMPP 3.4 SMSCs put the id and state in TLVs (receipted_message_id, message_state); older
 * ones only in the text, "id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:… text:…". TLVs win.
 */
export function parseReceipt(pdu: smpp.PDU): Receipt | null {
  const { text } = messageOf(pdu);
  const providerMessageId = str(pdu.receipted_message_id) || (/\bid:(\S+)/i.exec(text)?.[1] ?? '');
  if (!providerMessageId) return null;
  const word = /\bstat:(\w+)/i.exec(text)?.[1]?.toUpperCase() ?? '';
  const err = /\berr:(\w+)/i.exec(text)?.[1];
  const state =
    typeof pdu.message_state === 'number'
      ? (FINAL_STATES[pdu.message_state] ?? null)
      : (FINAL_STAT_WORDS[word] ?? null);
  const detail =
    state === 'FAILED'
      ? [word || `message_state ${String(pdu.message_state)}`, err ? `err:${err}` : ''].filter(Boolean).join(' ')
      : null;
  return { providerMessageId, state, detail };
}

// Characters with the same code in GSM 03.38 and ASCII: sent as data_coding 1 (IA5) they read the same whichever of
// the two alphabets the SMSC assumes. Anything else ('@', '$', '_', accents, emoji) goes as UCS2, which all SMSCs
// read one way. short_message holds at most 254 octets; longer texts go in message_payload for the SMSC to split.
const SAME_IN_GSM_AND_ASCII = /^[\n\r !"#%&'()*+,\-./0-9:;<=>?A-Za-z]*$/;
const DATA_CODING_IA5 = 0x01;
const DATA_CODING_UCS2 = 0x08;
const SHORT_MESSAGE_MAX = 254;

/** The submit_sm parameters for a reply; a final delivery receipt is requested, so its status can be followed. */
export function submitSmOptions(message: OutboundSms): Record<string, unknown> {
  const ascii = SAME_IN_GSM_AND_ASCII.test(message.text);
  const bytes = ascii ? Buffer.from(message.text, 'ascii') : Buffer.from(message.text, 'utf16le').swap16();
  const source = address(message.from);
  const destination = address(message.to);
  return {
    source_addr_ton: source.ton,
    source_addr_npi: source.npi,
    source_addr: source.addr,
    dest_addr_ton: destination.ton,
    dest_addr_npi: destination.npi,
    destination_addr: destination.addr,
    registered_delivery: 0x01,
    data_coding: ascii ? DATA_CODING_IA5 : DATA_CODING_UCS2,
    ...(bytes.length <= SHORT_MESSAGE_MAX ? { short_message: bytes } : { message_payload: bytes }),
  };
}

function address(value: string): { ton: number; npi: number; addr: string } {
  if (value.startsWith('+')) return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: value.slice(1) };
  if (/^\d+$/.test(value)) return { ton: 0, npi: NPI_ISDN, addr: value };
  return { ton: TON_ALPHANUMERIC, npi: 0, addr: value };
}

/**
 * The text (message_payload when present, which SMPP puts in place of short_message) and the UDH as hex. The
 * library has decoded the text by data_coding; data codings it doesn't know (8-bit binary) arrive as bytes, kept 1:1.
 */
function messageOf(pdu: smpp.PDU): { text: string; udh: string | null } {
  const field = pdu.message_payload ?? pdu.short_message;
  const decoded = (
    typeof field === 'object' && field !== null && !Buffer.isBuffer(field) ? field : { message: field }
  ) as {
    message?: unknown;
    udh?: unknown;
  };
  const text =
    typeof decoded.message === 'string'
      ? decoded.message
      : Buffer.isBuffer(decoded.message)
        ? decoded.message.toString('latin1')
        : '';
  const udh = Array.isArray(decoded.udh)
    ? decoded.udh.map((part) => (Buffer.isBuffer(part) ? part.toString('hex') : '')).join('')
    : null;
  return { text, udh };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function int(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
