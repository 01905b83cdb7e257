// Tollgate purse (sms:bank protocol) in Node.js, no dependencies: the payment form and the Result URL handler.
//
//   PORT=8080 node purse.mjs          (or move the two handlers into your Express/Fastify app)
//
//   GET  /pay?order=42&amount=2.50    the signed form that sends the payer to Tollgate
//   POST /result                      your purse's Result URL: Tollgate's signed callback, one per paid SMS
//
// Settings come from the environment, or edit the defaults. Keep the secret code out of version control.
import { createHash, timingSafeEqual } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import http from 'node:http';

const PURSE_NUMBER = process.env.TOLLGATE_PURSE || 'YOUR_PURSE_NUMBER';
const SECRET_CODE = process.env.TOLLGATE_SECRET || 'YOUR_SECRET_CODE';
const FORM_URL = process.env.TOLLGATE_FORM_URL || 'https://tollgate.example/bank/';
// Where fulfilled operations are recorded; use your database (with a unique index on s_inv) in production.
const ORDERS_FILE = process.env.TOLLGATE_ORDERS_FILE || 'orders.txt';

const md5 = (...parts) => createHash('md5').update(parts.join('::'), 'utf8').digest('hex');

/** s_sign of the form: MD5 of s_purse::s_order_id::s_amount::s_clear_amount::s_description::secret_code. */
const formSignature = (f, secret) =>
  md5(f.s_purse, f.s_order_id, f.s_amount, f.s_clear_amount, f.s_description, secret);

/** s_sign_v2 of the callback: MD5 of secret_code::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone. */
const resultSignature = (f, secret) =>
  md5(secret, f.s_purse, f.s_order_id, f.s_amount, f.s_clear_amount, f.s_inv, f.s_phone);

const escape = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Records the operation unless its s_inv is already there: Tollgate retries until it gets a 2xx. */
function fulfilOnce(f) {
  let lines = [];
  try {
    lines = readFileSync(ORDERS_FILE, 'utf8').split('\n');
  } catch {
    // no orders yet
  }
  // One process handles requests one at a time between awaits, so read-then-append cannot interleave here.
  if (lines.some((line) => line.split('\t')[0] === f.s_inv)) return;
  // Fulfil the order here: credit f.s_amount USD to order f.s_order_id.
  appendFileSync(ORDERS_FILE, `${f.s_inv}\t${f.s_order_id}\t${f.s_amount}\n`);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const answer = (status, body, type = 'text/plain; charset=utf-8') =>
    res.writeHead(status, { 'content-type': type }).end(body);

  if (req.method === 'GET' && url.pathname === '/pay') {
    const order = String(parseInt(url.searchParams.get('order') ?? '1', 10));
    // In a shop these come from your order; the values are signed exactly as they are sent.
    const fields = {
      s_purse: PURSE_NUMBER,
      s_order_id: order,
      s_amount: Number(url.searchParams.get('amount') ?? '1').toFixed(2),
      s_clear_amount: '0',
      s_description: `Order ${order}`,
    };
    fields.s_sign = formSignature(fields, SECRET_CODE);
    const inputs = Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escape(value)}">\n`)
      .join('');
    return answer(
      200,
      `<form method="post" accept-charset="UTF-8" action="${escape(FORM_URL)}">\n${inputs}<button>Pay by SMS</button>\n</form>\n`,
      'text/html; charset=utf-8',
    );
  }

  if (req.method === 'POST' && url.pathname === '/result') {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const posted = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const f = {};
      for (const name of ['s_purse', 's_order_id', 's_amount', 's_clear_amount', 's_inv', 's_phone', 's_sign_v2']) {
        f[name] = posted.get(name) ?? '';
      }
      // Anyone can post to this URL: only a valid signature proves the callback is Tollgate's.
      const expected = Buffer.from(resultSignature(f, SECRET_CODE));
      const sent = Buffer.from(f.s_sign_v2.toLowerCase());
      if (f.s_purse !== PURSE_NUMBER || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
        return answer(403, 'bad signature\n');
      }
      fulfilOnce(f);
      // Any 2xx answer tells Tollgate the callback arrived; anything else is retried later.
      answer(200, 'OK\n');
    });
    return;
  }

  answer(404, 'not found\n');
});

server.listen(Number(process.env.PORT || 8080), process.env.HOST || '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
