#!/usr/bin/env bash
# Start JupyterLab on loopback from the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=()
# CI machines and containers run as root, which JupyterLab refuses without this.
[[ $(id -u) == 0 ]] && extra+=(--allow-root)
exec .venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --no-browser --notebook-dir="$(pwd)" "${extra[@]}" "$@"
