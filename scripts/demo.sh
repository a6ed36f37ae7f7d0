#!/usr/bin/env bash
# Executes examples/demo.ipynb headless (nbclient, on the .venv's python3 kernel) and
# prints each cell's output and the run report tables. Run through `npm run demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python - "$@" <<'PY'
import sys, time
import nbformat
from nbclient import NotebookClient

MIME = "application/vnd.polyray.report+json"
nb = nbformat.read("examples/demo.ipynb", as_version=4)
start = time.time()
client = NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=True,
                        resources={"metadata": {"path": "examples"}})
client.execute()
failed = False
for k, cell in enumerate(nb.cells):
    if cell.cell_type != "code":
        continue
    print(f"\n\033[1m[{k}] {cell.source.splitlines()[0]}\033[0m")
    for out in cell.outputs:
        if out.output_type == "stream":
            sys.stdout.write(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            # the report display, in its final state (updated in place during the run)
            print(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            failed = True
            print(f"ERROR {out.ename}: {out.evalue}")
import os, tempfile
out_path = os.path.join(tempfile.gettempdir(), "polyray-demo.out.ipynb")
nbformat.write(nb, out_path)
print(f"\ndemo notebook executed in {time.time() - start:.1f} s; executed copy: {out_path}")
sys.exit(1 if failed else 0)
PY
