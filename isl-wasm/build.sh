#!/usr/bin/env bash
# Builds isl 0.25 (Debian's source package) to WebAssembly with Emscripten and
# links it with the C shim in shim/ into dist/isl.mjs + dist/isl.wasm.
#
# Idempotent and cached:
#   - dist/ outputs + a stamp of the inputs (this script, shim/*.c, shim/*.h,
#     exports.txt) that matches  -> nothing to do;
#   - build/isl-*/.libs/libisl.a present -> isl itself is not rebuilt;
#   - build/src holds the isl source -> apt is not consulted.
# Run from anywhere: `bash isl-wasm/build.sh`. Needs root only when the isl
# source has to be fetched with apt-get.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$HERE/build"
SRC="$BUILD/src"
DIST="$HERE/dist"
ISL_VERSION="0.25"
JOBS="$(nproc 2>/dev/null || echo 2)"

log() { echo "[isl-wasm] $*" >&2; }

# Debian's emcc runs its JS optimizer with the system node, which needs
# the Debian node modules (acorn, ...) on NODE_PATH.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"

stamp_of_inputs() {
  local f
  for f in "$HERE/build.sh" "$HERE/exports.txt" "$HERE"/shim/*.c "$HERE"/shim/*.h; do
    if [[ -f "$f" ]]; then echo "== $f"; cat "$f"; fi
  done | sha256sum | cut -d' ' -f1
}

STAMP_FILE="$DIST/.stamp"
STAMP="$(stamp_of_inputs)"
if [[ -f "$DIST/isl.mjs" && -f "$DIST/isl.wasm" && -f "$STAMP_FILE" \
      && "$(cat "$STAMP_FILE")" == "$STAMP" ]]; then
  log "up to date (dist/isl.mjs, dist/isl.wasm)"
  exit 0
fi

command -v emcc >/dev/null || { log "emcc not found (apt-get install emscripten)"; exit 1; }

# ---------------------------------------------------------------- isl source
find_isl_dir() { find "$SRC" -maxdepth 1 -mindepth 1 -type d -name "isl-${ISL_VERSION}*" 2>/dev/null | head -n1; }

ISL_DIR="$(find_isl_dir || true)"
if [[ -z "$ISL_DIR" ]]; then
  log "fetching isl source with apt-get source"
  DEB_SRC=/etc/apt/sources.list.d/polyray-deb-src.sources
  if [[ ! -f "$DEB_SRC" ]]; then
    log "adding deb-src entry $DEB_SRC"
    # Same archive(s) as the machine's 'deb' entries, but Types: deb-src.
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$DEB_SRC"
    else
      cat > "$DEB_SRC" <<'SRCS'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRCS
    fi
  fi
  apt-get update -qq >&2
  mkdir -p "$SRC"
  (cd "$SRC" && apt-get source -qq isl >&2)
  ISL_DIR="$(find_isl_dir || true)"
  [[ -n "$ISL_DIR" ]] || { log "apt-get source isl did not produce isl-${ISL_VERSION}*"; exit 1; }
fi
ver="$(basename "$ISL_DIR")"
[[ "$ver" == "isl-${ISL_VERSION}" ]] || { log "expected isl-${ISL_VERSION}, got $ver"; exit 1; }
log "isl source: $ISL_DIR"

# ---------------------------------------------------------------- libisl.a
ISL_BUILD="$BUILD/isl-build"
LIBISL="$ISL_BUILD/.libs/libisl.a"
if [[ ! -f "$LIBISL" ]]; then
  log "configuring isl for wasm32 (imath-32)"
  rm -rf "$ISL_BUILD"; mkdir -p "$ISL_BUILD"
  (cd "$ISL_BUILD" && emconfigure "$ISL_DIR/configure" \
      --with-int=imath-32 --disable-shared --enable-static --host=wasm32 \
      ac_cv_have_decl___builtin_ffs=yes CFLAGS="-O2" >"$ISL_BUILD/configure.log" 2>&1) \
    || { tail -n 30 "$ISL_BUILD/configure.log" >&2; exit 1; }
  log "compiling libisl (a few minutes)"
  (cd "$ISL_BUILD" && emmake make -j"$JOBS" gitversion.h libisl.la >"$ISL_BUILD/make.log" 2>&1) \
    || { tail -n 30 "$ISL_BUILD/make.log" >&2; exit 1; }
fi
log "libisl: $LIBISL"

# ---------------------------------------------------------------- link
mkdir -p "$DIST"
EXPORTS="$(grep -v '^\s*#' "$HERE/exports.txt" | grep -v '^\s*$' | sed 's/.*/"_&"/' | paste -sd, -)"
log "linking dist/isl.mjs + dist/isl.wasm"
emcc -O2 \
  -I"$ISL_DIR/include" -I"$ISL_BUILD/include" -I"$ISL_DIR" -I"$ISL_BUILD" -I"$HERE/shim" \
  "$HERE"/shim/*.c "$LIBISL" \
  -o "$DIST/isl.mjs" \
  -s MODULARIZE=1 -s EXPORT_ES6=1 -s EXPORT_NAME=createIslModule \
  -s ENVIRONMENT='web,worker,node' \
  -s ALLOW_MEMORY_GROWTH=1 -s INITIAL_MEMORY=33554432 -s TOTAL_STACK=5242880 \
  -s EXPORTED_FUNCTIONS="[${EXPORTS},\"_malloc\",\"_free\"]" \
  -s EXPORTED_RUNTIME_METHODS='["UTF8ToString","stringToUTF8","lengthBytesUTF8"]' \
  -s FILESYSTEM=0 -s ASSERTIONS=0 -s WASM_BIGINT=0 \
  -s NODEJS_CATCH_EXIT=0 -s NODEJS_CATCH_REJECTION=0
# emcc 3.1.6's ES6 output still reads __dirname on Node, which ES modules do
# not have; the host always hands over the wasm bytes, so the directory is
# never used: make it the module's own directory.
if grep -q 'scriptDirectory=__dirname+"/"' "$DIST/isl.mjs"; then
  sed -i 's|scriptDirectory=__dirname+"/"|scriptDirectory=new URL(".",import.meta.url).href|' "$DIST/isl.mjs"
fi
# Likewise its Node branches call require("fs"/"path"), which ES modules do
# not have and which browser bundlers cannot resolve: make them throw.
sed -i -E 's#require\("(fs|path)"\)#(function(m){throw new Error("isl-wasm: pass wasmBinary to the loader ("+m+" is not used)")})("\1")#g' "$DIST/isl.mjs"
if grep -q '__dirname\|require("' "$DIST/isl.mjs"; then
  log "warning: dist/isl.mjs still mentions __dirname or require()"
fi
# Types for the factory, so that src/index.ts can import it under tsc.
cat > "$DIST/isl.d.mts" <<'DTS'
declare const createIslModule: (options?: Record<string, unknown>) => Promise<unknown>;
export default createIslModule;
DTS
echo "$STAMP" > "$STAMP_FILE"
log "done"
