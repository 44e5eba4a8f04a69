#!/usr/bin/env bash
# Install the Debian packages the tests need, when missing (one apt-get for all of them):
#   chromium            the web app's browser tests (Playwright drives /usr/bin/chromium)
#   fonts-liberation2   Liberation Serif 2.x, metric-compatible with Times New Roman, with the Vietnamese
#                       glyphs: embedded in the report's PDF (WeasyPrint)
#   libpango-1.0-0, libpangoft2-1.0-0   WeasyPrint's text layout
#   poppler-utils       pdftotext / pdftoppm: the report tests read the PDF back and render page 1
# Extra packages may be named on the command line.
set -euo pipefail
wanted=(chromium fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils "$@")
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" = 0 ] && exit 0
echo "Cài gói Debian / installing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
