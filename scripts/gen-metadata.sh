#!/usr/bin/env bash
# Regenerate client/metadata/aitbc.scale (the runtime metadata the subxt client is generated
# from) after a runtime change; tests/tests/metadata.rs fails until this has been run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
cargo run --release --locked -p aitbc-integration-tests --example export_metadata -- client/metadata/aitbc.scale
