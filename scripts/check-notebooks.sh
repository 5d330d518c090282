#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless with the tslab TypeScript kernel and fails when one
# breaks: a cell error, a cell over the per-cell timeout, any stderr output, or an SVG chart that is
# not well-formed. The committed notebooks are not modified (outputs go to a temp dir).
#
#   scripts/check-notebooks.sh [notebooks/x.ipynb ...]     (npm run notebooks:check)
#
# Needs Debian python3-notebook and python3-nbconvert under /usr/bin/python3 (or $PYTHON) and
# `npm ci` done. CELL_TIMEOUT (seconds, default 480) and NOTEBOOK_TIMEOUT (default 1200) bound the run: they catch
# hangs, not slowness (the needs notebook retrains a classifier, which takes minutes on a loaded machine).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PYTHON="${PYTHON:-/usr/bin/python3}"
CELL_TIMEOUT="${CELL_TIMEOUT:-480}"
NOTEBOOK_TIMEOUT="${NOTEBOOK_TIMEOUT:-1200}"
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silences debugpy's frozen-modules warning on Python 3.11
export TZ=Asia/Tokyo

fail() { echo "check-notebooks: $*" >&2; exit 1; }

[ -x "$PYTHON" ] || fail "$PYTHON not found (apt-get install python3-notebook python3-nbconvert)"
"$PYTHON" -c 'import nbconvert, nbclient, nbformat, jupyter_client' 2>/dev/null \
  || fail "nbconvert/nbclient/jupyter_client missing for $PYTHON (apt-get install python3-notebook python3-nbconvert)"
[ -x node_modules/.bin/tslab ] || fail "node_modules/.bin/tslab missing: run npm ci first"

# tslab's kernel talks to Jupyter over ZeroMQ, a native addon. zeromq 6 ships prebuilt binaries in its
# package, so it loads even though npm 11 skips its install script; rebuild only if it does not.
if ! node -e "require('zeromq')" >/dev/null 2>&1; then
  echo "check-notebooks: zeromq's native addon does not load; running npm rebuild zeromq" >&2
  npm rebuild zeromq --foreground-scripts >&2 || true
  node -e "require('zeromq')" || fail "zeromq still does not load after npm rebuild zeromq"
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/check-notebooks.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/out" "$TMP/scratch" "$TMP/jupyter-runtime"

# Install the kernel into a private prefix (no global Jupyter state is read or written), pointing
# it at this checkout's tslab binary, and check Jupyter sees it.
export JUPYTER_PATH="$TMP/prefix/share/jupyter"
export JUPYTER_DATA_DIR="$TMP/jupyter-data"
export JUPYTER_RUNTIME_DIR="$TMP/jupyter-runtime"
export PATH="$ROOT/node_modules/.bin:$PATH"
npx --no-install tslab install --python="$PYTHON" --prefix="$TMP/prefix" --binary="$ROOT/node_modules/.bin/tslab" >/dev/null \
  || fail "npx tslab install failed"
if command -v jupyter-kernelspec >/dev/null 2>&1; then
  KERNELS="$(jupyter-kernelspec list)"
else  # Debian's packages install the module, not the jupyter-kernelspec entry point
  KERNELS="$("$PYTHON" -m jupyter_client.kernelspecapp list)"
fi
echo "$KERNELS" | grep -q "tslab .*$TMP/prefix" || fail "the tslab kernel is not registered: $KERNELS"

# The notebooks build their sample workspaces and models under NOTEBOOK_TMP (see notebooks/cli.ts).
export NOTEBOOK_TMP="$TMP/scratch"
unset LOOKALIKE_HOME

if [ "$#" -gt 0 ]; then NOTEBOOKS=("$@"); else NOTEBOOKS=(notebooks/*.ipynb); fi
[ -e "${NOTEBOOKS[0]}" ] || fail "no notebooks found"

status=0
for nb in "${NOTEBOOKS[@]}"; do
  name="$(basename "$nb")"
  start=$(date +%s)
  # --allow-errors keeps the executed notebook, so the check below can print each failing cell's
  # stderr (the CLI's reason); a cell over the timeout or a dead kernel still fails nbconvert.
  if ! (cd "$(dirname "$nb")" && timeout "$NOTEBOOK_TIMEOUT" "$PYTHON" -m nbconvert --to notebook --execute --allow-errors \
      --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout="$CELL_TIMEOUT" \
      --output-dir "$TMP/out" "$name") >"$TMP/$name.log" 2>&1; then
    grep -v -i -E 'debugger warning|frozen modules|frozen_modules|PYDEVD_DISABLE|^\s*$' "$TMP/$name.log" | tail -40 >&2
    echo "FAIL $nb ($(($(date +%s) - start)) s): execution failed" >&2
    status=1
    continue
  fi
  # Fail on error outputs, stderr and broken charts.
  if ! "$PYTHON" - "$TMP/out/$name" <<'PY'
import sys, nbformat
from xml.dom import minidom
nb = nbformat.read(sys.argv[1], as_version=4)
problems = []
for i, cell in enumerate(nb.cells):
    if cell.cell_type != 'code':
        continue
    for out in cell.get('outputs', []):
        kind = out.get('output_type')
        if kind == 'error':
            problems.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
        elif kind == 'stream' and out.get('name') == 'stderr':
            problems.append(f"cell {i}: stderr: {out.get('text', '').strip()[:300]}")
        elif kind in ('display_data', 'execute_result'):
            html = out.get('data', {}).get('text/html', '')
            svg = out.get('data', {}).get('image/svg+xml', '')
            for doc in (html, svg):
                if doc.lstrip().startswith('<svg'):
                    try:
                        minidom.parseString(doc.encode('utf-8'))
                    except Exception as e:
                        problems.append(f"cell {i}: malformed SVG: {e}")
for p in problems:
    print('  ' + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
  then
    echo "FAIL $nb ($(($(date +%s) - start)) s): error output" >&2
    status=1
    continue
  fi
  echo "ok   $nb ($(($(date +%s) - start)) s)"
done
exit $status
