#!/usr/bin/env bash
# Installs the pinned schemathesis (the OpenAPI fuzzer, from PyPI) into a
# virtualenv outside the repository, if it is not there yet, and prints the
# path of its `st` command. test/fuzz/schemathesis.test.ts runs it; so does CI.
#   scripts/schemathesis.sh            install if needed, print the path
# Needs python3 with the venv module (Debian: apt-get install python3-venv).
set -euo pipefail

VERSION=4.32.5
dir=${TAILAPI_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tailapi}/schemathesis-$VERSION
st=$dir/bin/st

if [ ! -x "$st" ] || ! "$st" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "installing schemathesis $VERSION into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  python3 -m venv "$dir" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
fi
echo "$st"
