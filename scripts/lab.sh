#!/usr/bin/env bash
# Start JupyterLab on loopback from the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --no-browser --notebook-dir="$(pwd)" "$@"
