#!/usr/bin/env bash
# Installs what the JavaScript client and live-page tests need (tests/MwgActors.Browser.Tests): Node.js with npm,
# Debian's chromium (Playwright drives it; it never downloads a browser of its own) and the npm packages of
# clients/js from its committed package-lock.json. Idempotent and quiet; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== setup-browser: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

# npm ci only when node_modules was not installed from this very lock file (a stamp of its hash).
lock_hash=$(sha256sum clients/js/package-lock.json | cut -d' ' -f1)
stamp=clients/js/node_modules/.installed-from-lock
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  echo "== setup-browser: npm ci (clients/js)"
  (cd clients/js && npm ci --no-audit --no-fund --loglevel=error </dev/null >/dev/null)
  echo "$lock_hash" >"$stamp"
fi

echo "== setup-browser: node $(node --version), $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
