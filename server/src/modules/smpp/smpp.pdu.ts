import { createHash } from 'node:crypto';
import smpp from 'smpp';
import { parsePhone } from '../../common/phone';
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
  /** Numbers in national form are read as numbers of this country. */
  country: string;
  operator: string | null;
  /** How long a derived message id stands for one SMS (see toInboundSms). */
  redeliveryWindowMs: number;
}

// esm_class bits 2-5 give the message type (SMPP 3.4 §5.2.12); 0 is an ordinary SMS from a phone.
const ESM_MESSAGE_TYPE = 0x3c;
const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_INTERMEDIATE_NOTIFICATION = 0x20;
const TON_INTERNATIONAL = 0x01;
const TON_ALPHANUMERIC = 0x05;
const NPI_UNKNOWN = 0x00;
const NPI_ISDN = 0x01;
const NPI_NATIONAL = 0x08;
const ESM_UDH_INDICATOR = 0x40;
// Concatenation information elements of the UDH (3GPP TS 23.040 §9.2.3.24.1 and .8).
const IEI_CONCAT_8BIT_REF = 0x00;
const IEI_CONCAT_16BIT_REF = 0x08;

/** 'sms' from a phone, an SMSC delivery 'receipt', or an SME acknowledgement ('other') Tollgate has no use for. */
export function deliverKind(pdu: smpp.PDU): 'sms' | 'receipt' | 'other' {
  const type = int(pdu.esm_class) & ESM_MESSAGE_TYPE;
  if (type === 0) return 'sms';
  if (type === ESM_DELIVERY_RECEIPT || type === ESM_INTERMEDIATE_NOTIFICATION) return 'receipt';
  return 'other';
}

/**
 * The sender in international (E.164) form, read by its TON and NPI: TON 1 is international; national, network
 * specific, subscriber and abbreviated numbers (and TON 0, unknown, which SMSCs use for either) are read as numbers
 * of the link's country, or as international digits if they are not one. Null when it is no phone number we can
 * read: an alphanumeric sender, a numbering plan other than ISDN/national, or digits libphonenumber finds invalid.
 */
export function senderPhone(pdu: smpp.PDU, country: string): string | null {
  const address = str(pdu.source_addr).trim();
  const ton = int(pdu.source_addr_ton);
  const npi = int(pdu.source_addr_npi);
  if (ton === TON_ALPHANUMERIC || ![NPI_UNKNOWN, NPI_ISDN, NPI_NATIONAL].includes(npi)) return null;
  if (ton === TON_INTERNATIONAL) return parsePhone(address.startsWith('+') ? address : `+${address}`);
  return parsePhone(address, country);
}

/** Which part of a concatenated SMS a PDU carries: from the UDH (esm_class 0x40) or the sar_* TLVs. */
export interface Segment {
  /** The concatenation reference: the same for every part of one message from one phone. */
  reference: number;
  total: number;
  /** 1-based. */
  seq: number;
}

/** The segment a PDU is, or null for a whole SMS (no concatenation header, or a "1 of 1"). */
export function segmentOf(pdu: smpp.PDU): Segment | null {
  let segment: Segment | null = null;
  if (int(pdu.esm_class) & ESM_UDH_INDICATOR) {
    const field = pdu.message_payload ?? pdu.short_message;
    const elements = (field as { udh?: unknown } | undefined)?.udh;
    for (const element of Array.isArray(elements) ? elements : []) {
      if (!Buffer.isBuffer(element)) continue;
      if (element[0] === IEI_CONCAT_8BIT_REF && element[1] === 3 && element.length >= 5) {
        segment = { reference: element[2], total: element[3], seq: element[4] };
      } else if (element[0] === IEI_CONCAT_16BIT_REF && element[1] === 4 && element.length >= 6) {
        segment = { reference: element.readUInt16BE(2), total: element[4], seq: element[5] };
      }
    }
  }
  if (!segment && typeof pdu.sar_total_segments === 'number' && typeof pdu.sar_segment_seqnum === 'number') {
    segment = { reference: int(pdu.sar_msg_ref_num), total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum };
  }
  // A header that contradicts itself is no concatenation we can follow: the part is taken as a whole SMS.
  if (!segment || segment.total < 2 || segment.seq < 1 || segment.seq > segment.total) return null;
  return segment;
}

/**
 * The SMS a deliver_sm (or data_sm) carries, as the pipeline takes it. The sender is converted to international form
 * (senderPhone); one that cannot be read is passed on as given, marked `senderUnreadable`, for suspense: the operator
 * billed it, so it is never refused. Country and operator come from the link's configuration: SMPP has no standard
 * field for either.
 *
 * The message id: a deliver_sm from a phone has no id of its own (SMPP 3.4 §4.6.1). When the SMSC sets
 * receipted_message_id anyway, that is the id; otherwise it is `sha256:` and a hash of everything the SMSC sends
 * about the message (addresses with their TON/NPI, esm_class, data_coding, UDH, segment TLVs, the phone's message
 * reference in user_message_reference, text). A redelivery — after a lost, late or negative deliver_sm_resp —
 * repeats all of it, so it finds the first copy and counts once. Such a derived id stands for one SMS only within
 * the link's redelivery window (SMPP_REDELIVERY_WINDOW_SECONDS): the same phone sending the very same text again
 * later (buying twice) is a new SMS. Within the window two such SMS count once; SMSCs that pass the phone's TP-MR as
 * user_message_reference tell them apart at any distance.
 */
export function toInboundSms(pdu: smpp.PDU, profile: LinkProfile): InboundSms {
  const from = str(pdu.source_addr).trim();
  const to = str(pdu.destination_addr);
  if (!from || !to) throw new MalformedPduError(`${pdu.command} without source_addr or destination_addr`);
  const { text } = messageOf(pdu);
  const sentId = str(pdu.receipted_message_id);
  const phone = senderPhone(pdu, profile.country);
  return {
    provider: profile.provider,
    messageId: sentId || derivedMessageId(pdu),
    redeliveryWindowMs: sentId ? null : profile.redeliveryWindowMs,
    from: phone ?? from,
    senderUnreadable: !phone,
    to,
    text,
    country: profile.country,
    operator: profile.operator,
  };
}

/** `sha256:` and a hash of everything the SMSC says about a message (see toInboundSms). */
export function derivedMessageId(pdu: smpp.PDU): string {
  const { text, udh } = messageOf(pdu);
  return (
    'sha256:' +
    createHash('sha256')
      .update(
        JSON.stringify([
          int(pdu.source_addr_ton),
          int(pdu.source_addr_npi),
          str(pdu.source_addr),
          int(pdu.dest_addr_ton),
          int(pdu.dest_addr_npi),
          str(pdu.destination_addr),
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
      .slice(0, 40)
  );
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
