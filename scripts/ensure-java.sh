#!/usr/bin/env bash
# Apache Spark (the `--engine spark` tests) needs a Java runtime (17 or newer): install Debian's
# headless JRE when none is on the PATH.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
  exit 0
fi
echo "Cài Java cho Apache Spark / installing a Java runtime for Spark…" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq openjdk-17-jre-headless >&2
