#!/usr/bin/env bash
# Install Virtuoso Open Source from Debian, non-interactively and idempotently.
# The packaged service is never used: tests start their own virtuoso-t on a scratch
# database (user dba / password dba), see tests/virtuoso_server.py.
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
    echo "virtuoso-t already installed: $(command -v virtuoso-t)"
    exit 0
fi

SUDO="$(dirname "$0")/as-root"  # root directly, else through sudo

# apt-get update once if the package lists do not know the package yet.
if ! apt-cache show virtuoso-opensource >/dev/null 2>&1; then
    $SUDO apt-get update -q
fi
# debconf-set-selections ships with debconf itself; debconf-utils only if it is missing.
if ! command -v debconf-set-selections >/dev/null 2>&1; then
    $SUDO apt-get install -y -q debconf-utils
fi

# Preseed the dba password so the package never prompts.
printf '%s\n' \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba" \
    "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba" \
    | $SUDO debconf-set-selections

# "Unable to set password" during install is harmless: the packaged service does not start here.
$SUDO apt-get install -y -q virtuoso-opensource

command -v virtuoso-t >/dev/null 2>&1 || { echo "virtuoso-t missing after install" >&2; exit 1; }
echo "installed: $(command -v virtuoso-t)"
