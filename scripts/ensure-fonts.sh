#!/usr/bin/env bash
# The font the report's PDF prefers (Liberation Serif 2.x, with the Vietnamese letters), installed
# when it is missing and apt can do it without a password; never fails (`make demo` goes on with
# the fallback font, and the PDF stays readable with it).
p=fonts-liberation2
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "Không có apt: bỏ qua cài phông $p (PDF dùng phông dự phòng) / no apt: $p not installed" >&2
  exit 0
fi
dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && exit 0
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "Cần quyền quản trị để cài $p: sudo apt-get install $p (PDF dùng phông dự phòng cho đến khi cài) /" \
         "installing $p needs root" >&2
    exit 0
  fi
fi
echo "Cài phông / installing $p" >&2
( export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends "$p" >&2 \
    || { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq --no-install-recommends "$p" >&2; } ) \
  || echo "Không cài được $p; PDF dùng phông dự phòng / could not install $p" >&2
exit 0
