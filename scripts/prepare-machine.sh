#!/usr/bin/env bash
# Installs and starts what the test suite needs on a fresh machine: Debian's Chromium for the end-to-end tests,
# PostgreSQL and Redis for the integration tests, xmllint for the payout file tests, and PHP, Python and Perl, which
# run the purse protocol's integration snippets (docs/snippets) against a live server. Safe to run again: it only acts on
# what is missing.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium from Debian…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! command -v xmllint >/dev/null; then
  echo "Installing xmllint (libxml2-utils), which validates the SEPA payout files against their schema…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxml2-utils >/dev/null
fi

# The snippet test fails (never skips) without these interpreters. Perl and Python 3 come with most Debian images;
# PHP does not.
missing_interpreters=()
command -v php >/dev/null || missing_interpreters+=(php-cli)
command -v python3 >/dev/null || missing_interpreters+=(python3)
command -v perl >/dev/null || missing_interpreters+=(perl)
if [ "${#missing_interpreters[@]}" -gt 0 ]; then
  echo "Installing ${missing_interpreters[*]}, which run the purse protocol's snippets in the tests…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_interpreters[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL…"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis…"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

pg_isready -h 127.0.0.1 -p 5432
redis-cli -h 127.0.0.1 -p 6379 ping
/usr/bin/chromium --version
# Not piped into head: under pipefail, xmllint killed by SIGPIPE when head has read its line would fail the script.
xmllint_version=$(xmllint --version 2>&1)
echo "${xmllint_version%%$'\n'*}"
php_version=$(php --version)
echo "${php_version%%$'\n'*}"
python3 --version
perl -e 'print "perl $^V\n"'
