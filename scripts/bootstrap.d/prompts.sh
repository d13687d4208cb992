#!/usr/bin/env bash
# The German prompt set (issue 4, TKG §110 price announcement): espeak-ng (German voice) ->
# 8 kHz mono 16-bit WAV in infra/prompts/cache/de (gitignored), cached. A no-op when the set is
# complete and current; installs espeak-ng from Debian only when something must be generated.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="${CALLCTL_PROMPT_DIR:-$ROOT/infra/prompts/cache/de}"
GEN=(node --import tsx services/tariff/src/prompts/generate.ts --out "$OUT")
if "${GEN[@]}" --check; then exit 0; fi
if ! command -v espeak-ng >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "prompts: installing espeak-ng" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng) >&2
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    (sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng) >&2
  else
    echo "prompts: espeak-ng is missing and cannot be installed here (apt-get install espeak-ng)" >&2
    exit 1
  fi
fi
"${GEN[@]}"
