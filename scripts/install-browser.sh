#!/usr/bin/env bash
# Install what the browser tests (tests/web/test_browser.py) need: Debian's chromium and a
# CJK font (so screenshots show Chinese, not boxes).  Idempotent and fast when present.
# Playwright never downloads its own browser: the tests launch /usr/bin/chromium.
#
# Never fails the build: when the browser cannot be installed (no root, no network), it
# says so loudly and exits 0; the browser tests then SKIP with a loud message.
set -u
CHROMIUM=${XXGK_CHROMIUM:-/usr/bin/chromium}
need=()
[ -x "$CHROMIUM" ] || need+=(chromium)
if command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; then
  :
else
  need+=(fonts-wqy-microhei)
fi
if [ ${#need[@]} -eq 0 ]; then
  echo "install-browser: $("$CHROMIUM" --version 2>/dev/null | head -1) and a CJK font are present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "!!! install-browser: cannot install ${need[*]}: not root and no passwordless sudo." >&2
    echo "!!! The browser tests will be SKIPPED.  Install them with: apt-get install -y ${need[*]}" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "!!! install-browser: no apt-get here; install chromium and a CJK font yourself. Browser tests will be SKIPPED." >&2
  exit 0
fi
echo "install-browser: installing ${need[*]} (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/tmp/xxgk-install-browser.log 2>&1; then
  # the package lists may be missing or stale (fresh container): update once and retry
  $SUDO apt-get update >>/tmp/xxgk-install-browser.log 2>&1 || true
  if ! $SUDO apt-get install -y --no-install-recommends "${need[@]}" >>/tmp/xxgk-install-browser.log 2>&1; then
    echo "!!! install-browser: apt-get could not install ${need[*]} (see /tmp/xxgk-install-browser.log)." >&2
    tail -5 /tmp/xxgk-install-browser.log >&2 || true
    echo "!!! The browser tests will be SKIPPED." >&2
    exit 0
  fi
fi
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null | head -1) installed"
exit 0
