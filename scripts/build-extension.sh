#!/usr/bin/env bash
# Builds the JupyterLab extension into python-bridge/polyray/labextension (the
# prebuilt labextension of the polyray Python package) and registers it with
# the .venv's JupyterLab for development (a relative symlink in
# .venv/share/jupyter/labextensions/polyray, what `jupyter labextension develop`
# does for an editable install). Steps:
#   1. tsc -p tsconfig.extension.json   src/extension (+ src/compiler) -> lib-ext/ (ES2022 modules)
#   2. jupyter-builder build            @jupyterlab/builder (webpack 5, module federation) bundles
#      lib-ext/extension/index.js, the compile Worker and its three .wasm assets
#   3. install.json next to package.json, so `jupyter labextension list` says "(python, polyray)"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
node_modules/.bin/tsc -p tsconfig.extension.json
CORE=$(.venv/bin/python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging", "package.json"))')
PATH="$ROOT/.venv/bin:$PATH" .venv/bin/jupyter-builder build --core-package-file="$CORE" . >/tmp/polyray-labextension-build.log 2>&1 \
  || { cat /tmp/polyray-labextension-build.log >&2; exit 1; }
cp install.json python-bridge/polyray/labextension/install.json
mkdir -p .venv/share/jupyter/labextensions
ln -sfn ../../../../python-bridge/polyray/labextension .venv/share/jupyter/labextensions/polyray
