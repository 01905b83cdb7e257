/**
 * Ready integration code for one purse (seed B9): the payment form (B1), the Result URL handler (B6) and the
 * Success/Fail check (B5), in PHP, Python and Node. The secret stays a placeholder: it is pasted in by the merchant,
 * never shown in code on screen.
 */
export interface SnippetPurse {
  number: number;
  formUrl: string;
}

export type SnippetLanguage = 'php' | 'python' | 'node';

export const SNIPPET_LANGUAGES: { id: SnippetLanguage; label: string }[] = [
  { id: 'php', label: 'PHP' },
  { id: 'python', label: 'Python' },
  { id: 'node', label: 'Node.js' },
];

const SECRET = 'YOUR_SECRET_CODE';

function php(purse: SnippetPurse): string {
  return `<?php
// sms:bank, purse ${purse.number}. Keep the secret code on your server only.
const SMSBANK_PURSE = '${purse.number}';
const SMSBANK_SECRET = '${SECRET}';

// 1. The payment form (s_sign over the values exactly as they are sent, UTF-8).
function smsbank_form(string $orderId, string $amount, string $clearAmount, string $description, array $extra = []): string {
    $sign = md5(implode('::', [SMSBANK_PURSE, $orderId, $amount, $clearAmount, $description, SMSBANK_SECRET]));
    $fields = ['s_purse' => SMSBANK_PURSE, 's_order_id' => $orderId, 's_amount' => $amount,
        's_clear_amount' => $clearAmount, 's_description' => $description, 's_sign' => $sign] + $extra;
    $html = '<form method="post" action="${purse.formUrl}" accept-charset="UTF-8">';
    foreach ($fields as $name => $value) {
        $html .= '<input type="hidden" name="' . htmlspecialchars($name) . '" value="' . htmlspecialchars($value) . '">';
    }
    return $html . '<button type="submit">Pay by SMS</button></form>';
}
// echo smsbank_form('1001', '2.00', '0', 'Balance top-up', ['user' => '42']);

// 2. Result URL: one POST per paid SMS. Answer 200 once recorded; anything else is retried.
function smsbank_result_ok(array $p): bool {
    $expected = md5(implode('::', [SMSBANK_SECRET, $p['s_purse'] ?? '', $p['s_order_id'] ?? '', $p['s_amount'] ?? '',
        $p['s_clear_amount'] ?? '', $p['s_inv'] ?? '', $p['s_phone'] ?? '']));
    return hash_equals($expected, strtolower($p['s_sign_v2'] ?? ''));
}
// result.php:
// if (!smsbank_result_ok($_POST)) { http_response_code(403); exit; }
// credit order $_POST['s_order_id'] once per $_POST['s_inv'] (a retry may bring the same s_inv again), then:
// echo 'OK';

// 3. Success and Fail URLs: the payer comes back with s_status 1 or 0.
function smsbank_return_ok(array $p): bool {
    $expected = md5(implode('::', [SMSBANK_SECRET, $p['s_purse'] ?? '', $p['s_order_id'] ?? '', $p['s_amount'] ?? '',
        $p['s_clear_amount'] ?? '', $p['s_status'] ?? '']));
    return hash_equals($expected, strtolower($p['s_sign'] ?? ''));
}
`;
}

function python(purse: SnippetPurse): string {
  return `# sms:bank, purse ${purse.number}. Keep the secret code on your server only.
import hashlib
import hmac
from html import escape

SMSBANK_PURSE = "${purse.number}"
SMSBANK_SECRET = "${SECRET}"
FORM_URL = "${purse.formUrl}"


def md5(*parts: str) -> str:
    return hashlib.md5("::".join(parts).encode("utf-8")).hexdigest()


# 1. The payment form (s_sign over the values exactly as they are sent, UTF-8).
def smsbank_form(order_id: str, amount: str, clear_amount: str, description: str, extra: dict | None = None) -> str:
    sign = md5(SMSBANK_PURSE, order_id, amount, clear_amount, description, SMSBANK_SECRET)
    fields = {"s_purse": SMSBANK_PURSE, "s_order_id": order_id, "s_amount": amount,
              "s_clear_amount": clear_amount, "s_description": description, "s_sign": sign, **(extra or {})}
    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    return f'<form method="post" action="{FORM_URL}" accept-charset="UTF-8">{inputs}<button>Pay by SMS</button></form>'


# 2. Result URL: one POST per paid SMS (form fields). Answer 200 once recorded; anything else is retried.
def smsbank_result_ok(p: dict) -> bool:
    expected = md5(SMSBANK_SECRET, p.get("s_purse", ""), p.get("s_order_id", ""), p.get("s_amount", ""),
                   p.get("s_clear_amount", ""), p.get("s_inv", ""), p.get("s_phone", ""))
    return hmac.compare_digest(expected, p.get("s_sign_v2", "").lower())
# Credit order p["s_order_id"] once per p["s_inv"] (a retry may bring the same s_inv again).


# 3. Success and Fail URLs: the payer comes back with s_status "1" or "0".
def smsbank_return_ok(p: dict) -> bool:
    expected = md5(SMSBANK_SECRET, p.get("s_purse", ""), p.get("s_order_id", ""), p.get("s_amount", ""),
                   p.get("s_clear_amount", ""), p.get("s_status", ""))
    return hmac.compare_digest(expected, p.get("s_sign", "").lower())
`;
}

function node(purse: SnippetPurse): string {
  return `// sms:bank, purse ${purse.number}. Keep the secret code on your server only.
const crypto = require('node:crypto');
const express = require('express');

const SMSBANK_PURSE = '${purse.number}';
const SMSBANK_SECRET = process.env.SMSBANK_SECRET ?? '${SECRET}';
const md5 = (...parts) => crypto.createHash('md5').update(parts.join('::'), 'utf8').digest('hex');
const same = (a, b) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => \`&#\${c.charCodeAt(0)};\`);

// 1. The payment form (s_sign over the values exactly as they are sent, UTF-8).
function smsbankForm(orderId, amount, clearAmount, description, extra = {}) {
  const sign = md5(SMSBANK_PURSE, orderId, amount, clearAmount, description, SMSBANK_SECRET);
  const fields = { s_purse: SMSBANK_PURSE, s_order_id: orderId, s_amount: amount, s_clear_amount: clearAmount,
    s_description: description, s_sign: sign, ...extra };
  const inputs = Object.entries(fields)
    .map(([name, value]) => \`<input type="hidden" name="\${escape(name)}" value="\${escape(value)}">\`)
    .join('');
  return \`<form method="post" action="${purse.formUrl}" accept-charset="UTF-8">\${inputs}<button>Pay by SMS</button></form>\`;
}

const app = express();
app.use(express.urlencoded({ extended: false }));

// 2. Result URL: one POST per paid SMS. Answer 200 once recorded; anything else is retried.
app.post('/sms-bank/result', (req, res) => {
  const p = req.body;
  const expected = md5(SMSBANK_SECRET, p.s_purse, p.s_order_id, p.s_amount, p.s_clear_amount, p.s_inv, p.s_phone);
  if (!same(expected, String(p.s_sign_v2 ?? '').toLowerCase())) return res.sendStatus(403);
  // Credit order p.s_order_id once per p.s_inv (a retry may bring the same s_inv again).
  res.send('OK');
});

// 3. Success and Fail URLs: the payer comes back with s_status "1" or "0".
app.post(['/sms-bank/success', '/sms-bank/fail'], (req, res) => {
  const p = req.body;
  const expected = md5(SMSBANK_SECRET, p.s_purse, p.s_order_id, p.s_amount, p.s_clear_amount, p.s_status);
  if (!same(expected, String(p.s_sign ?? '').toLowerCase())) return res.sendStatus(403);
  res.send(p.s_status === '1' ? 'Thank you for your payment.' : 'The payment was cancelled.');
});
`;
}

export function snippet(language: SnippetLanguage, purse: SnippetPurse): string {
  return language === 'php' ? php(purse) : language === 'python' ? python(purse) : node(purse);
}
