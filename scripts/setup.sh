#!/usr/bin/env bash
# One-command set-up shared by `npm run lab`, `npm test` and `npm run demo`.
# Every step is idempotent and skipped when its inputs have not changed, so a
# second run takes seconds. Nothing is downloaded except from Debian, npm and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STAMPS="$ROOT/.setup-stamps"
mkdir -p "$STAMPS"
log() { printf '[setup] %s\n' "$*" >&2; }

# Hash of some files, used to decide whether a step must run again.
digest() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }
fresh() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp() { printf '%s' "$2" > "$STAMPS/$1"; }

# 1. Debian packages: emscripten (isl-wasm), dpkg-dev (apt-get source isl),
#    chromium (browser tests). apt-get update only when something is missing.
need_apt=()
command -v emcc >/dev/null || need_apt+=(emscripten)
command -v dpkg-source >/dev/null || need_apt+=(dpkg-dev)
command -v chromium >/dev/null || need_apt+=(chromium)
if (( ${#need_apt[@]} )); then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 2. npm packages (the lock file pins them).
npm_key=$(digest package.json package-lock.json isl-wasm/package.json)
if [[ ! -d node_modules ]] || ! fresh npm "$npm_key"; then
  log "installing npm packages"
  if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  stamp npm "$(digest package.json package-lock.json isl-wasm/package.json)"
fi

# 3. Python: .venv at the repository root, polyray installed editable.
py_key=$(digest python-bridge/requirements.txt python-bridge/pyproject.toml)
if [[ ! -x .venv/bin/python ]] || ! fresh venv "$py_key"; then
  log "creating .venv and installing Python packages"
  [[ -x .venv/bin/python ]] || python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r python-bridge/requirements.txt
  .venv/bin/python -m pip install -q --no-build-isolation --no-deps -e python-bridge
  stamp venv "$py_key"
fi

# 4. isl built to WebAssembly (cached inside the script itself), and its
#    TypeScript bindings compiled to isl-wasm/lib.
bash isl-wasm/build.sh
node_modules/.bin/tsc -p isl-wasm/tsconfig.json

# 5. The TypeScript compiler library and CLI (incremental, seconds).
node_modules/.bin/tsc -p tsconfig.json

# 6. The JupyterLab extension (src/extension, bundled with the compiler and
#    the three .wasm files) built into python-bridge/polyray/labextension and
#    linked into the .venv's JupyterLab; skipped when its inputs are unchanged.
ext_key=$(digest package.json package-lock.json tsconfig.extension.json webpack.extension.cjs install.json \
  schema/plugin.json style/*.css isl-wasm/dist/isl.wasm $(find src/extension src/compiler -name '*.ts' | sort))
if [[ ! -f python-bridge/polyray/labextension/package.json || ! -e .venv/share/jupyter/labextensions/polyray ]] \
   || ! fresh labextension "$ext_key"; then
  log "building the JupyterLab extension"
  bash scripts/build-extension.sh
  stamp labextension "$ext_key"
fi
