<?php
/*
 * Tollgate purse (sms:bank protocol) in PHP: the payment form and the Result URL handler in one script.
 *
 *   php -S 0.0.0.0:8080 purse.php      (or put it behind Apache/nginx + PHP-FPM)
 *
 *   GET  /pay?order=42&amount=2.50     the signed form that sends the payer to Tollgate
 *   POST /result                       your purse's Result URL: Tollgate's signed callback, one per paid SMS
 *
 * Settings come from the environment, or edit the defaults. Keep the secret code out of version control.
 */

$purseNumber = getenv('TOLLGATE_PURSE') ?: 'YOUR_PURSE_NUMBER';
$secretCode = getenv('TOLLGATE_SECRET') ?: 'YOUR_SECRET_CODE';
$formUrl = getenv('TOLLGATE_FORM_URL') ?: 'https://tollgate.example/bank/';
// Where fulfilled operations are recorded; use your database (with a unique index on s_inv) in production.
$ordersFile = getenv('TOLLGATE_ORDERS_FILE') ?: __DIR__ . '/orders.txt';

/** s_sign of the form: MD5 of s_purse::s_order_id::s_amount::s_clear_amount::s_description::secret_code. */
function form_signature(array $f, string $secret): string
{
    return md5(implode('::', [$f['s_purse'], $f['s_order_id'], $f['s_amount'], $f['s_clear_amount'], $f['s_description'], $secret]));
}

/** s_sign_v2 of the callback: MD5 of secret_code::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone. */
function result_signature(array $f, string $secret): string
{
    return md5(implode('::', [$secret, $f['s_purse'], $f['s_order_id'], $f['s_amount'], $f['s_clear_amount'], $f['s_inv'], $f['s_phone']]));
}

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);

if ($_SERVER['REQUEST_METHOD'] === 'GET' && $path === '/pay') {
    // In a shop these come from your order; the values are signed exactly as they are sent.
    $fields = [
        's_purse' => $purseNumber,
        's_order_id' => (string) (int) ($_GET['order'] ?? '1'),
        's_amount' => number_format((float) ($_GET['amount'] ?? '1'), 2, '.', ''),
        's_clear_amount' => '0',
        's_description' => 'Order ' . (int) ($_GET['order'] ?? '1'),
    ];
    $fields['s_sign'] = form_signature($fields, $secretCode);
    header('Content-Type: text/html; charset=utf-8');
    echo '<form method="post" accept-charset="UTF-8" action="' . htmlspecialchars($formUrl) . '">' . "\n";
    foreach ($fields as $name => $value) {
        echo '<input type="hidden" name="' . $name . '" value="' . htmlspecialchars($value) . '">' . "\n";
    }
    echo "<button>Pay by SMS</button>\n</form>\n";
    return;
}

if ($_SERVER['REQUEST_METHOD'] === 'POST' && $path === '/result') {
    $f = [];
    foreach (['s_purse', 's_order_id', 's_amount', 's_clear_amount', 's_inv', 's_phone', 's_sign_v2'] as $name) {
        $f[$name] = (string) ($_POST[$name] ?? '');
    }
    // Anyone can post to this URL: only a valid signature proves the callback is Tollgate's.
    if ($f['s_purse'] !== $purseNumber || !hash_equals(result_signature($f, $secretCode), strtolower($f['s_sign_v2']))) {
        http_response_code(403);
        echo "bad signature\n";
        return;
    }
    // One fulfilment per s_inv: Tollgate retries until it gets a 2xx, so the same callback can arrive again.
    $handle = fopen($ordersFile, 'c+');
    flock($handle, LOCK_EX);
    $seen = false;
    while (($line = fgets($handle)) !== false) {
        if (explode("\t", trim($line))[0] === $f['s_inv']) $seen = true;
    }
    if (!$seen) {
        // Fulfil the order here: credit $f['s_amount'] USD to order $f['s_order_id'].
        fwrite($handle, "{$f['s_inv']}\t{$f['s_order_id']}\t{$f['s_amount']}\n");
    }
    flock($handle, LOCK_UN);
    fclose($handle);
    // Any 2xx answer tells Tollgate the callback arrived; anything else is retried later.
    echo "OK\n";
    return;
}

http_response_code(404);
echo "not found\n";
