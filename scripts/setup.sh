#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh Debian machine for building and testing AITBC.
#
# - apt packages the build needs (protobuf-compiler for the networking crates);
# - a wasm toolchain for the runtime: nothing when rustup already has a wasm target; otherwise
#   Debian's Rust (rustc-web) is linked into rustup as `aitbc-wasm` and `core`/`alloc` are built
#   once for the wasm targets with embedded bitcode (see shared/DESIGN.md, "Build environment notes");
# - ONNX Runtime 1.31.1 for aitbc-worker: the shared library from the PyPI `onnxruntime` wheel (CPU)
#   is unpacked into .ort/lib, where the worker finds it without any environment variable. Provider
#   machines use the `onnxruntime-gpu` wheel instead (ORT_WHEEL=onnxruntime-gpu scripts/setup.sh).
# - Node.js (18 or later) and the npm packages of the polkadot.js compatibility test
#   (tests/polkadotjs, `npm ci` from its package-lock.json);
# - the web app: Debian's chromium (for its browser tests), `npm ci` in web/ and its build (web/dist);
# - the runtime fuzzer (fuzz/): Rust nightly and cargo-fuzz (crates.io).
#
# Safe to run again: every step checks first and does nothing when already done.
set -euo pipefail

WASM_TOOLCHAIN=aitbc-wasm
WASM_TARGETS=(wasm32v1-none wasm32-unknown-unknown)
log() { printf '[setup] %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Non-interactive shells (CI) may not have rustup's bin dir on PATH yet.
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
command -v rustup >/dev/null || { echo "rustup not found: install Rust with rustup first (https://rustup.rs)" >&2; exit 1; }

apt_install protobuf-compiler

rustup_has_wasm_target() {
  rustup target list --installed 2>/dev/null | grep -qE '^wasm32(v1-none|-unknown-unknown)$'
}

if rustup_has_wasm_target; then
  log "rustup already has a wasm target: nothing more to do for the runtime build"
else
  apt_install rustc-web cargo-web rust-web-src libstd-rust-web-dev lld-22
  if ! rustup toolchain list | grep -q "^$WASM_TOOLCHAIN"; then
    log "linking Debian's Rust as rustup toolchain '$WASM_TOOLCHAIN'"
    rustup toolchain link "$WASM_TOOLCHAIN" /usr
  fi
  sysroot=$(rustc +"$WASM_TOOLCHAIN" --print sysroot)
  version=$(rustc +"$WASM_TOOLCHAIN" --version)
  for target in "${WASM_TARGETS[@]}"; do
    libdir="$sysroot/lib/rustlib/$target/lib"
    stamp="$libdir/.aitbc-sysroot"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
      log "$target sysroot present ($version)"
      continue
    fi
    log "building core/alloc for $target with embedded bitcode (about a minute)"
    work=$(mktemp -d)
    mkdir -p "$work/src"
    cat >"$work/Cargo.toml" <<'TOML'
[package]
name = "aitbc-sysroot"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
[profile.release]
panic = "abort"
TOML
    echo '#![no_std]' >"$work/src/lib.rs"
    (cd "$work" && RUSTFLAGS=-Cembed-bitcode=yes RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$work/target" \
      cargo +"$WASM_TOOLCHAIN" build --quiet --release -Zbuild-std=core,alloc --target "$target")
    as_root mkdir -p "$libdir"
    as_root rm -f "$libdir"/lib{core,alloc,compiler_builtins}-*.{rlib,rmeta}
    as_root cp "$work/target/$target/release/deps"/lib{core,alloc,compiler_builtins}-*.{rlib,rmeta} "$libdir/"
    echo "$version" | as_root tee "$stamp" >/dev/null
    rm -rf "$work"
    # A runtime wasm built against the previous sysroot would fail with "can't find crate".
    rm -rf "${CARGO_TARGET_DIR:-$HOME/.cache/aitbc/target}"/*/wbuild/aitbc-runtime/target
  done
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORT_VERSION=1.31.1
ORT_WHEEL="${ORT_WHEEL:-onnxruntime}"
ORT_DIR="$ROOT/.ort/lib"
if [ -f "$ORT_DIR/libonnxruntime.so.$ORT_VERSION" ] && [ "$(cat "$ORT_DIR/wheel" 2>/dev/null)" = "$ORT_WHEEL==$ORT_VERSION" ]; then
  log "ONNX Runtime $ORT_VERSION ($ORT_WHEEL) already in .ort/lib"
else
  log "installing ONNX Runtime $ORT_VERSION from the PyPI $ORT_WHEEL wheel into .ort/lib"
  command -v python3 >/dev/null || apt_install python3 python3-pip
  work="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
    --python-version 3.11 "$ORT_WHEEL==$ORT_VERSION" -d "$work"
  rm -rf "$ORT_DIR" && mkdir -p "$ORT_DIR"
  python3 - "$work" "$ORT_DIR" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if name.startswith("onnxruntime/capi/") and base.startswith("libonnxruntime"):
            with z.open(name) as src, open(os.path.join(sys.argv[2], base), "wb") as dst:
                dst.write(src.read())
PY
  echo "$ORT_WHEEL==$ORT_VERSION" >"$ORT_DIR/wheel"
  rm -rf "$work"
  ls "$ORT_DIR" | sed 's/^/[setup]   /'
fi

# The polkadot.js compatibility test: Node.js and @polkadot/api from npm, exactly as locked.
node_major() { node -e 'console.log(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 18 ]; then
  apt_install nodejs npm
fi
[ "$(node_major)" -ge 18 ] || { echo "Node.js 18 or later is needed for tests/polkadotjs (found $(node --version 2>/dev/null || echo none))" >&2; exit 1; }
JS_DIR="$ROOT/tests/polkadotjs"
JS_STAMP="$JS_DIR/node_modules/.aitbc-lock-sha256"
JS_LOCK_SHA="$(sha256sum "$JS_DIR/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$JS_STAMP" 2>/dev/null)" = "$JS_LOCK_SHA" ]; then
  log "polkadot.js test packages already installed"
else
  log "installing the polkadot.js test packages (npm ci in tests/polkadotjs)"
  (cd "$JS_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$JS_LOCK_SHA" >"$JS_STAMP"
fi

# The web app (web/): its npm packages (Vite, TypeScript, @polkadot/api, playwright-core for the
# browser tests), exactly as locked, and its build (web/dist, served by `aitbc web`), redone only
# when a source file changed. The browser tests run Debian's Chromium.
[ "$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a>20||(a===20&&b>=19)?1:0)')" = 1 ] || {
  echo "Node.js 20.19 or later is needed to build the web app (found $(node --version))" >&2
  exit 1
}
apt_install chromium
WEB_DIR="$ROOT/web"
WEB_STAMP="$WEB_DIR/node_modules/.aitbc-lock-sha256"
WEB_LOCK_SHA="$(sha256sum "$WEB_DIR/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$WEB_STAMP" 2>/dev/null)" = "$WEB_LOCK_SHA" ]; then
  log "web app packages already installed"
else
  log "installing the web app's packages (npm ci in web/)"
  (cd "$WEB_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$WEB_LOCK_SHA" >"$WEB_STAMP"
fi
web_sources_sha() {
  (cd "$WEB_DIR" && find src index.html package-lock.json tsconfig.json vite.config.ts scripts -type f -print0 \
    | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}
WEB_BUILD_STAMP="$WEB_DIR/dist/.aitbc-sources-sha256"
if [ -f "$WEB_DIR/dist/index.html" ] && [ "$(cat "$WEB_BUILD_STAMP" 2>/dev/null)" = "$(web_sources_sha)" ]; then
  log "web app already built (web/dist)"
else
  log "building the web app (npm run build in web/: type check, bundle, sizes)"
  (cd "$WEB_DIR" && npm run --silent build | grep -E '^\[bundle\] total' | sed 's/^/[setup]   /')
  web_sources_sha >"$WEB_BUILD_STAMP"
fi

# The runtime fuzzer: libFuzzer's coverage instrumentation needs a nightly compiler.
if rustup toolchain list | grep -q '^nightly'; then
  log "Rust nightly already installed (for the fuzzer)"
else
  log "installing Rust nightly (minimal profile, for the fuzzer)"
  rustup toolchain install nightly --profile minimal
fi
if command -v cargo-fuzz >/dev/null; then
  log "cargo-fuzz already installed"
else
  log "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

log "done"
