#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: the Go modules, and
# Debian's chromium for the browser tests. Safe to run again; it only installs
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

go mod download

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: installing ${need[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test-deps: please install ${need[*]} (Debian: apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

# axe-core, injected into pages by the browser tests to check WCAG 2.1 AA.
if [ ! -f tools/axe/node_modules/axe-core/axe.min.js ]; then
  (cd tools/axe && npm ci --no-audit --no-fund --silent)
fi

# ical.js (Mozilla's parser), which the calendar tests use as a second, non-Go parser.
if [ ! -f tools/ical/node_modules/ical.js/package.json ]; then
  (cd tools/ical && npm ci --no-audit --no-fund --silent)
fi

# Redocly's CLI, which lints the OpenAPI document (make lint-openapi).
if [ ! -x tools/redocly/node_modules/.bin/redocly ]; then
  (cd tools/redocly && npm ci --no-audit --no-fund --silent)
fi
