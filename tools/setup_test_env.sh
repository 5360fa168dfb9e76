#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then nothing else:
#  - Debian packages: chromium + chromium-driver (browser tests of the HTML maps), poppler-utils
#    (pdffonts, pdftoppm: the Annex 3 PDF test checks its fonts are embedded),
#    redis-server (the real-addok geocoding test);
#  - .venv with ortgeo (editable) and its `test` extra.
# Idempotent: what is already there is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
echo "setup: done ($(.venv/bin/python -c 'import ortgeo; print("ortgeo", ortgeo.__version__)'))"
