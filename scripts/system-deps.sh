#!/usr/bin/env bash
# Make sure the Debian libraries WeasyPrint needs are present.
#   required: Pango (text layout) and the Han font (fonts-noto-cjk: the Chinese editions; PyPI
#             has no CJK font package). Missing and not root: print one line saying what to install.
#   optional: $OPTIONAL (harfbuzz subsetting makes builds ~1.2x faster; poppler-utils gives the
#             tests a second, independent PDF reader; ghostscript renders the press files' ink
#             separations for the tests). Installed when we can, skipped otherwise.
set -u
REQUIRED="libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk"
OPTIONAL="${OPTIONAL:-libharfbuzz-subset0}"

missing() {
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || printf '%s ' "$pkg"
  done
}

command -v dpkg-query >/dev/null 2>&1 || exit 0   # not Debian: nothing we can check here

need=$(missing $REQUIRED)
want=$(missing $OPTIONAL)
[ -z "$need$want" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: $need$want"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1
  # Optional packages may fail without stopping the build; required ones may not.
  [ -n "$want" ] && { apt-get install -y -qq --no-install-recommends $want >/dev/null 2>&1 \
    || echo "note: could not install $want; continuing without it"; }
  [ -n "$need" ] && { apt-get install -y -qq --no-install-recommends $need >/dev/null \
    || { echo "error: could not install $need; run: apt-get install $need" >&2; exit 1; }; }
  exit 0
fi

if [ -n "$need" ]; then
  echo "error: brochure needs these Debian packages. Ask an administrator to run: sudo apt-get install $need" >&2
  exit 1
fi
echo "note: optional packages missing ($want); builds still work. To add them: sudo apt-get install $want"
