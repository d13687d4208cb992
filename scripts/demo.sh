#!/usr/bin/env bash
# The main job: install what is missing, start NATS/Redis/PostgreSQL, then the whole callctl stack
# with a simulated switch and traffic (`callctl demo`). Extra arguments go to `callctl demo`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
exec "$ROOT/bin/callctl" demo "$@"
