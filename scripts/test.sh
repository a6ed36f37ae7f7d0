#!/usr/bin/env bash
# Every test suite: TypeScript, the browser end-to-end tests, then Python. Run through `npm test`, which sets up first.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "== TypeScript tests"
npm run --silent test:ts || status=1
echo "== Browser tests (JupyterLab + Chromium)"
npm run --silent test:e2e || status=1
echo "== Python tests"
npm run --silent test:py || status=1
exit $status
