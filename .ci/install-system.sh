#!/usr/bin/env bash
# System packages the tests need, from Debian; idempotent, non-interactive, as root or via sudo.
set -euo pipefail
here="$(dirname "$0")"
need=()
command -v java >/dev/null || need+=(default-jre-headless)
[[ -e /usr/share/java/jena-cmds.jar || -e /usr/share/java/jena-cmds-4.5.0.jar ]] || need+=(libapache-jena-java)
command -v chromium >/dev/null || need+=(chromium fonts-wqy-microhei)
# DOC and WPS documents are read through LibreOffice headless (kgtool/read/formats/libreoffice.py)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
if ((${#need[@]})); then
  "$here/as-root" apt-get update -qq
  "$here/as-root" apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash "$here/install-virtuoso.sh"
