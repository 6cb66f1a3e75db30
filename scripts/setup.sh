#!/usr/bin/env bash
# Set up phare on this machine: Debian packages (when root on Debian/Ubuntu), then .venv with
# every Python dependency pinned by constraints.txt. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(tesseract-ocr tesseract-ocr-fra libmagic1 poppler-utils
  libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui)
# --tests: what the test suite needs on top (the web interface is tested in Debian's Chromium)
if [ "${1:-}" = "--tests" ]; then DEBIAN_PACKAGES+=(chromium); fi

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "phare: installation des paquets Debian : ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "phare: pas d'apt-get ici ; installez tesseract (fra) et libmagic vous-même pour l'OCR." >&2
fi

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "phare needs Python 3.11"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test,lint]"
echo "phare: environnement prêt ($(du -sh .venv | cut -f1) dans .venv)"
