#!/usr/bin/env bash
# The Worker, locally, in one command: sync what it serves from the workspace, seed the local R2
# bucket with it, write .dev.vars (the API key records, hashes only), and start `wrangler dev
# --local` on 127.0.0.1. Stop the Node server first (the sync opens the workspace).
#
#   scripts/worker-local.sh [sync-dir]            # LOOKALIKE_HOME picks the workspace; PORT (8788)
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

out="${1:-.wrangler/sync}"
rm -rf "$out"
node bin/lookalike.js ${LOOKALIKE_HOME:+--home "$LOOKALIKE_HOME"} worker-sync "$out"
cp "$out/dev.vars" .dev.vars
chmod 600 .dev.vars
npx tsx scripts/seed-local-r2.ts "$out/r2"
exec npx wrangler dev --local --ip 127.0.0.1 --port "${PORT:-8788}"
