import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';
import { formatAmount } from '../../common/money';
import type { StatementData } from './statement.service';

/** The CSV's columns, in order. */
export const CSV_COLUMNS = [
  'date',
  'type',
  'product',
  'description',
  'transfer_id',
  'gross',
  'fee',
  'net',
  'balance',
  'currency',
] as const;

/**
 * The statement as CSV: a header, an OPENING_BALANCE row, one row per movement (amounts as decimal strings at the
 * currency's scale, dates ISO 8601 UTC), and a CLOSING_BALANCE row.
 */
export function statementCsv(statement: StatementData): string {
  const money = (minor: bigint) => formatAmount(minor, statement.currency);
  const edge = (type: string, day: string, balance: bigint) => ({
    date: day,
    type,
    product: '',
    description: '',
    transfer_id: '',
    gross: '',
    fee: '',
    net: '',
    balance: money(balance),
    currency: statement.currency,
  });
  const rows = [
    edge('OPENING_BALANCE', statement.from, statement.openingBalance),
    ...statement.lines.map((line) => ({
      date: line.at.toISOString(),
      type: line.type,
      product: line.product ?? '',
      description: line.description,
      transfer_id: line.transferId,
      gross: money(line.gross),
      fee: money(line.fee),
      net: money(line.net),
      balance: money(line.balance),
      currency: statement.currency,
    })),
    edge('CLOSING_BALANCE', statement.to, statement.closingBalance),
  ];
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
}

/**
 * The statement as a PDF (pdfkit): the merchant, period and currency, the summary, then every movement. Content
 * streams are left uncompressed, so the document's text can be searched as it is.
 */
export function statementPdf(statement: StatementData): Promise<Buffer> {
  const money = (minor: bigint) => `${formatAmount(minor, statement.currency)} ${statement.currency}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    compress: false,
    info: {
      Title: `Statement ${statement.merchantName} ${statement.currency} ${statement.from} to ${statement.to}`,
      Author: 'Tollgate',
      Subject: statement.merchantName,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.fontSize(18).text('Statement', { align: 'left' });
  doc.moveDown(0.3);
  doc.fontSize(11).text(statement.merchantName);
  doc.fontSize(9).fillColor('#555').text(`Merchant ${statement.merchantId}`);
  doc.text(`Period ${statement.from} to ${statement.to} (UTC, both days included), ${statement.currency}`);
  doc.fillColor('#000').moveDown();

  const summary: [string, bigint][] = [
    ['Opening balance', statement.openingBalance],
    ...statement.creditsByProduct.map((total): [string, bigint] => [
      `Credits: ${total.product} (${total.count})`,
      total.amount,
    ]),
    ['Fees', statement.fees],
    ['Refunds', statement.refunds],
    ['Chargebacks', statement.chargebacks],
    ['Payouts', statement.payouts],
    ['Adjustments', statement.adjustments],
    ['Closing balance', statement.closingBalance],
  ];
  doc.fontSize(10);
  for (const [label, amount] of summary) {
    const y = doc.y;
    doc.text(label, 40, y, { width: 300 });
    doc.text(money(amount), 340, y, { width: 215, align: 'right' });
  }
  doc.moveDown();

  doc.fontSize(12).text('Movements', 40);
  doc.moveDown(0.3).fontSize(8);
  const columns = [
    { title: 'Date (UTC)', x: 40, width: 80 },
    { title: 'Type', x: 120, width: 60 },
    { title: 'Description', x: 180, width: 175 },
    { title: 'Gross', x: 355, width: 55, align: 'right' as const },
    { title: 'Fee', x: 410, width: 45, align: 'right' as const },
    { title: 'Net', x: 455, width: 50, align: 'right' as const },
    { title: 'Balance', x: 505, width: 50, align: 'right' as const },
  ];
  const row = (cells: string[]) => {
    if (doc.y > doc.page.height - 60) doc.addPage();
    const y = doc.y;
    let bottom = y;
    cells.forEach((cell, i) => {
      const column = columns[i];
      doc.text(cell, column.x, y, { width: column.width, align: column.align ?? 'left' });
      bottom = Math.max(bottom, doc.y);
    });
    doc.y = bottom + 2;
  };
  row(columns.map((column) => column.title));
  const amount = (minor: bigint) => formatAmount(minor, statement.currency);
  for (const line of statement.lines) {
    row([
      line.at.toISOString().replace('T', ' ').slice(0, 19),
      line.product ? `${line.type} ${line.product}` : line.type,
      line.description,
      amount(line.gross),
      amount(line.fee),
      amount(line.net),
      amount(line.balance),
    ]);
  }
  if (!statement.lines.length) row(['', '', 'No movements in this period.', '', '', '', '']);
  doc.end();
  return done;
}
