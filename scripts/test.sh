#!/usr/bin/env bash
# The full test suite: install + runtime, typecheck, lint, then every tap test (unit, integration
# and end-to-end against real NATS/Redis/PostgreSQL). Benchmarks and soak runs are separate.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
echo "== typecheck" >&2
node_modules/.bin/tsc -p tsconfig.json --noEmit
echo "== lint" >&2
node_modules/.bin/biome check --diagnostic-level=error .
echo "== tests" >&2
exec node_modules/.bin/tap "$@"
