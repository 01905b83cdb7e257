import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import type { BankRow } from './payout.reconcile';

/*
 * The bank's end-of-day statement, ISO 20022 camt.053 (BkToCstmrStmt, version 001.02 and later): read with
 * fast-xml-parser into the status CSV's rows, which the status import then matches exactly as it matches a CSV line
 * (payout.batch.ts). Only booked entries (Sts BOOK) count. A debit names the withdrawal it paid by its end-to-end id
 * (the id our pain.001 gave it): PAID. A credit that carries return information (RtrInf) is a payout coming back:
 * RETURNED, with the return reason code (e.g. AC04, account closed). Other credits (money coming in) and reversed
 * entries are not about payouts and are left out. An entry booking several transactions at once (batch booking)
 * gives one line per transaction, each with its own amount.
 */

export const MAX_STATEMENT_BYTES = 5_000_000;

type Node = Record<string, unknown>;

/** Elements that may repeat, so always read as arrays. */
const LISTS = new Set(['Stmt', 'Ntry', 'NtryDtls', 'TxDtls']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false, // amounts and ids stay text: "10.50" must not become a float
  parseAttributeValue: false,
  processEntities: false, // no entity expansion from an outside file
  trimValues: true,
  isArray: (name) => LISTS.has(name),
});

/** The same, keeping prefixes and namespace declarations: to read which namespace the root element is in. */
const namespaceParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
});

/** The namespace of the root element (default namespace, or the one its prefix names). */
function rootNamespace(xml: string): { name: string; namespace: string } | null {
  const doc = namespaceParser.parse(xml) as Node;
  const rootName = Object.keys(doc).find((key) => !key.startsWith('?') && !key.startsWith('#'));
  if (!rootName) return null;
  const root = doc[rootName] as Node;
  const [prefix, local] = rootName.includes(':') ? rootName.split(':', 2) : [null, rootName];
  const namespace = root && typeof root === 'object' ? root[prefix ? `@xmlns:${prefix}` : '@xmlns'] : undefined;
  return { name: local, namespace: typeof namespace === 'string' ? namespace : '' };
}

function child(node: unknown, ...path: string[]): unknown {
  let at = node;
  for (const name of path) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Node)[name];
  }
  return at;
}

function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node).trim();
  if (typeof node === 'object' && '#text' in (node as Node)) return String((node as Node)['#text']).trim();
  return '';
}

function list(node: unknown): Node[] {
  if (!node) return [];
  return (Array.isArray(node) ? node : [node]) as Node[];
}

/** An amount element <Amt Ccy="EUR">10.50</Amt>: its text and currency. */
function amountOf(node: unknown): { amount: string; currency: string } | null {
  if (!node) return null;
  const amount = textOf(node);
  const currency = typeof node === 'object' ? textOf((node as Node)['@Ccy']) : '';
  return amount ? { amount, currency } : null;
}

/** Version 001.02 writes <Sts>BOOK</Sts>, later ones <Sts><Cd>BOOK</Cd></Sts>. */
function statusOf(entry: Node): string {
  return (textOf(child(entry, 'Sts', 'Cd')) || textOf(entry.Sts)).toUpperCase();
}

/** The return reason of a transaction: its code (ISO external return reason, e.g. AC04), and any words with it. */
function returnReason(tx: Node): string | null {
  const info = child(tx, 'RtrInf');
  if (!info) return null;
  const code = textOf(child(info, 'Rsn', 'Cd')) || textOf(child(info, 'Rsn', 'Prtry'));
  const words = list(child(info, 'AddtlInf'))
    .map((part) => textOf(part))
    .join(' ')
    .trim();
  return [code, words].filter(Boolean).join(': ') || 'returned by the bank';
}

export interface CamtStatement {
  /** Each booked payout transaction as a status row (withdrawal_id, status, amount, currency, bank_reference, reason). */
  rows: BankRow[];
  /** Booked entries left out: money coming in, reversals. */
  skipped: number;
}

/** Reads a camt.053 statement into status rows; a file that is not one is refused, naming the input. */
export function parseCamt053(xml: string): CamtStatement {
  const field = ['input', 'xml'];
  if (Buffer.byteLength(xml, 'utf8') > MAX_STATEMENT_BYTES) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, `at most ${MAX_STATEMENT_BYTES} bytes per statement`, field);
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`.slice(0, 300),
      field,
    );
  }
  const root = rootNamespace(xml);
  const document = (parser.parse(xml) as Node).Document as Node | undefined;
  const statements = list(child(document, 'BkToCstmrStmt', 'Stmt'));
  if (
    root?.name !== 'Document' ||
    !/^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d\d$/.test(root.namespace) ||
    !child(document, 'BkToCstmrStmt')
  ) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      'not a camt.053 statement (Document in urn:iso:std:iso:20022:tech:xsd:camt.053.001.xx with BkToCstmrStmt)',
      field,
    );
  }
  const rows: BankRow[] = [];
  let skipped = 0;
  for (const statement of statements) {
    for (const entry of list(statement.Ntry)) {
      const credit = textOf(entry.CdtDbtInd).toUpperCase() === 'CRDT';
      const reversal = textOf(entry.RvslInd).toLowerCase() === 'true';
      if (statusOf(entry) !== 'BOOK' || reversal) {
        skipped++;
        continue;
      }
      const entryAmount = amountOf(entry.Amt);
      const entryReference = textOf(entry.AcctSvcrRef) || textOf(entry.NtryRef);
      const transactions = list(entry.NtryDtls).flatMap((details) => list(details.TxDtls));
      const single = transactions.length <= 1;
      for (const tx of transactions.length ? transactions : [{} as Node]) {
        const reason = returnReason(tx);
        if (credit && !reason) {
          skipped++; // money coming in, not a payout sent back
          continue;
        }
        // Several transactions in one entry carry their own amounts; a single one may leave it to the entry.
        const amount = amountOf(child(tx, 'AmtDtls', 'TxAmt', 'Amt')) ??
          amountOf(tx.Amt) ??
          (single ? entryAmount : null) ?? { amount: '', currency: entryAmount?.currency ?? '' };
        const endToEnd = textOf(child(tx, 'Refs', 'EndToEndId'));
        rows.push({
          withdrawal_id: endToEnd === 'NOTPROVIDED' ? '' : endToEnd,
          status: credit ? 'RETURNED' : 'PAID',
          amount: amount.amount,
          currency: amount.currency || entryAmount?.currency || '',
          bank_reference: (textOf(child(tx, 'Refs', 'AcctSvcrRef')) || entryReference).slice(0, 100),
          reason: reason ?? '',
        });
      }
    }
  }
  return { rows, skipped };
}
