#!/usr/bin/perl
# Tollgate purse (sms:bank protocol) in Perl, core modules only, as a CGI script: the payment form and the Result
# URL handler. Install it as e.g. https://shop.example/cgi-bin/purse.pl and give Tollgate .../purse.pl/result.
#
#   GET  .../purse.pl/pay?order=42&amount=2.50   the signed form that sends the payer to Tollgate
#   POST .../purse.pl/result                     your purse's Result URL: Tollgate's signed callback, one per paid SMS
#
# Settings come from the environment, or edit the defaults. Keep the secret code out of version control.
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use Fcntl qw(:flock);

my $purse_number = $ENV{TOLLGATE_PURSE} || 'YOUR_PURSE_NUMBER';
my $secret_code  = $ENV{TOLLGATE_SECRET} || 'YOUR_SECRET_CODE';
my $form_url     = $ENV{TOLLGATE_FORM_URL} || 'https://tollgate.example/bank/';
# Where fulfilled operations are recorded; use your database (with a unique index on s_inv) in production.
my $orders_file  = $ENV{TOLLGATE_ORDERS_FILE} || 'orders.txt';

# Form values stay UTF-8 bytes: MD5 is taken over exactly the bytes that travelled.
sub url_decode { my $s = shift // ''; $s =~ tr/+/ /; $s =~ s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge; return $s; }

sub parse_pairs {
    my %f;
    for my $pair (split /&/, shift // '') {
        my ($name, $value) = split /=/, $pair, 2;
        $f{url_decode($name)} = url_decode($value) unless exists $f{url_decode($name)};
    }
    return %f;
}

sub html_escape { my $s = shift; $s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g; $s =~ s/"/&quot;/g; return $s; }

# s_sign of the form: MD5 of s_purse::s_order_id::s_amount::s_clear_amount::s_description::secret_code.
sub form_signature {
    my ($f, $secret) = @_;
    return md5_hex(join '::', @$f{qw(s_purse s_order_id s_amount s_clear_amount s_description)}, $secret);
}

# s_sign_v2 of the callback: MD5 of secret_code::s_purse::s_order_id::s_amount::s_clear_amount::s_inv::s_phone.
sub result_signature {
    my ($f, $secret) = @_;
    return md5_hex(join '::', $secret, @$f{qw(s_purse s_order_id s_amount s_clear_amount s_inv s_phone)});
}

sub answer {
    my ($status, $body, $type) = @_;
    print "Status: $status\r\nContent-Type: " . ($type || 'text/plain; charset=utf-8') . "\r\n\r\n$body";
    exit 0;
}

my $method = $ENV{REQUEST_METHOD} || 'GET';
my $path   = $ENV{PATH_INFO} || '/';

if ($method eq 'GET' && $path eq '/pay') {
    my %query = parse_pairs($ENV{QUERY_STRING});
    my $order = int($query{order} // 1);
    # In a shop these come from your order; the values are signed exactly as they are sent.
    my %f = (
        s_purse        => $purse_number,
        s_order_id     => "$order",
        s_amount       => sprintf('%.2f', $query{amount} // 1),
        s_clear_amount => '0',
        s_description  => "Order $order",
    );
    $f{s_sign} = form_signature(\%f, $secret_code);
    my $inputs = join '', map { qq(<input type="hidden" name="$_" value=") . html_escape($f{$_}) . qq(">\n) }
      qw(s_purse s_order_id s_amount s_clear_amount s_description s_sign);
    answer('200 OK',
        qq(<form method="post" accept-charset="UTF-8" action=") . html_escape($form_url) . qq(">\n$inputs<button>Pay by SMS</button>\n</form>\n),
        'text/html; charset=utf-8');
}

if ($method eq 'POST' && $path eq '/result') {
    read(STDIN, my $body, $ENV{CONTENT_LENGTH} || 0);
    my %posted = parse_pairs($body);
    my %f = map { $_ => ($posted{$_} // '') } qw(s_purse s_order_id s_amount s_clear_amount s_inv s_phone s_sign_v2);
    # Anyone can post to this URL: only a valid signature proves the callback is Tollgate's.
    if ($f{s_purse} ne $purse_number || lc($f{s_sign_v2}) ne result_signature(\%f, $secret_code)) {
        answer('403 Forbidden', "bad signature\n");
    }
    # One fulfilment per s_inv: Tollgate retries until it gets a 2xx, so the same callback can arrive again.
    open(my $orders, '+>>', $orders_file) or answer('500 Internal Server Error', "cannot record the order\n");
    flock($orders, LOCK_EX);
    seek($orders, 0, 0);
    my $seen = grep { (split /\t/)[0] eq $f{s_inv} } <$orders>;
    # Fulfil the order here: credit $f{s_amount} USD to order $f{s_order_id}.
    print {$orders} "$f{s_inv}\t$f{s_order_id}\t$f{s_amount}\n" unless $seen;
    close($orders);
    # Any 2xx answer tells Tollgate the callback arrived; anything else is retried later.
    answer('200 OK', "OK\n");
}

answer('404 Not Found', "not found\n");
