"""Tollgate purse (sms:bank protocol) in Python 3, standard library only: the payment form and the Result URL handler.

    PORT=8080 python3 purse.py        (or port the two handlers to your framework)

    GET  /pay?order=42&amount=2.50    the signed form that sends the payer to Tollgate
    POST /result                      your purse's Result URL: Tollgate's signed callback, one per paid SMS

Settings come from the environment, or edit the defaults. Keep the secret code out of version control.
"""
import fcntl
import hashlib
import hmac
import html
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

PURSE_NUMBER = os.environ.get("TOLLGATE_PURSE") or "YOUR_PURSE_NUMBER"
SECRET_CODE = os.environ.get("TOLLGATE_SECRET") or "YOUR_SECRET_CODE"
FORM_URL = os.environ.get("TOLLGATE_FORM_URL") or "https://tollgate.example/bank/"
# Where fulfilled operations are recorded; use your database (with a unique index on s_inv) in production.
ORDERS_FILE = os.environ.get("TOLLGATE_ORDERS_FILE") or "orders.txt"


def md5(*parts):
    return hashlib.md5("::".join(parts).encode("utf-8")).hexdigest()


def form_signature(f, secret):
    """s_sign of the form: MD5 of s_purse::s_order_id::s_amount::s_clear_amount::s_description::secret_code."""
    return md5(f["s_purse"], f["s_order_id"], f["s_amount"], f["s_clear_amount"], f["s_description"], secret)


def result_signature(f, secret):
    """s_sign_v2 of the callback: MD5 of secret_code::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone."""
    return md5(secret, f["s_purse"], f["s_order_id"], f["s_amount"], f["s_clear_amount"], f["s_inv"], f["s_phone"])


def fulfil_once(f):
    """Records the operation unless its s_inv is already there: Tollgate retries until it gets a 2xx."""
    with open(ORDERS_FILE, "a+", encoding="utf-8") as orders:
        fcntl.flock(orders, fcntl.LOCK_EX)
        orders.seek(0)
        if any(line.split("\t")[0] == f["s_inv"] for line in orders):
            return
        # Fulfil the order here: credit f["s_amount"] USD to order f["s_order_id"].
        orders.write(f"{f['s_inv']}\t{f['s_order_id']}\t{f['s_amount']}\n")


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, content_type="text/plain; charset=utf-8"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path != "/pay":
            return self.answer(404, "not found\n")
        query = parse_qs(url.query)
        order = str(int(query.get("order", ["1"])[0]))
        # In a shop these come from your order; the values are signed exactly as they are sent.
        fields = {
            "s_purse": PURSE_NUMBER,
            "s_order_id": order,
            "s_amount": "%.2f" % float(query.get("amount", ["1"])[0]),
            "s_clear_amount": "0",
            "s_description": "Order " + order,
        }
        fields["s_sign"] = form_signature(fields, SECRET_CODE)
        inputs = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">\n' for name, value in fields.items()
        )
        page = f'<form method="post" accept-charset="UTF-8" action="{html.escape(FORM_URL)}">\n{inputs}<button>Pay by SMS</button>\n</form>\n'
        self.answer(200, page, "text/html; charset=utf-8")

    def do_POST(self):
        if urlsplit(self.path).path != "/result":
            return self.answer(404, "not found\n")
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        posted = parse_qs(body, keep_blank_values=True)
        names = ["s_purse", "s_order_id", "s_amount", "s_clear_amount", "s_inv", "s_phone", "s_sign_v2"]
        f = {name: posted.get(name, [""])[0] for name in names}
        # Anyone can post to this URL: only a valid signature proves the callback is Tollgate's.
        expected = result_signature(f, SECRET_CODE)
        if f["s_purse"] != PURSE_NUMBER or not hmac.compare_digest(expected, f["s_sign_v2"].lower()):
            return self.answer(403, "bad signature\n")
        fulfil_once(f)
        # Any 2xx answer tells Tollgate the callback arrived; anything else is retried later.
        self.answer(200, "OK\n")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = HTTPServer((os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080"))), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()
