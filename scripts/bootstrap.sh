#!/usr/bin/env bash
# Everything a fresh Debian machine with Node 20 + npm needs before callctl runs or tests:
# pinned pnpm via corepack, dependencies from the lockfile, generated protobuf code, the local
# runtime (NATS JetStream, Redis, PostgreSQL), and the German prompt set when espeak-ng is there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -n "${CI:-}" ] || [ ! -d node_modules/.pnpm ]; then
  scripts/pnpm.sh install --frozen-lockfile --reporter=append-only >&2
else
  scripts/pnpm.sh install --frozen-lockfile --prefer-offline --reporter=silent >&2
fi
node scripts/gen-proto.mjs >&2
infra/local/runtime.sh up
for hook in scripts/bootstrap.d/*.sh; do [ -e "$hook" ] && bash "$hook"; done
true
