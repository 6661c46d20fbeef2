#!/usr/bin/env bash
# The XLIFF 1.2 schema (OASIS xliff-core-1.2-strict.xsd, with the xml.xsd it imports), for the
# test that checks our exported files are XLIFF a CAT tool accepts. Debian ships the schema in
# php-symfony-translation: the package is downloaded and only its schema files are unpacked
# into $1 (nothing is installed, no PHP). Without apt, the schema test skips and says why.
set -u
dest="$1"
[ -f "$dest/xliff-core-1.2-strict.xsd" ] && exit 0
command -v apt-get >/dev/null 2>&1 || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
fetch() { (cd "$tmp" && apt-get download -qq php-symfony-translation >/dev/null 2>&1); }
if ! fetch; then
  { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && fetch; } \
    || { echo "note: could not download the XLIFF schema; its test will skip"; exit 0; }
fi
dpkg-deb -x "$tmp"/php-symfony-translation_*.deb "$tmp/unpacked"
mkdir -p "$dest"
cp "$tmp"/unpacked/usr/share/php/Symfony/Component/Translation/Resources/schemas/xliff-core-1.2-strict.xsd \
   "$tmp"/unpacked/usr/share/php/Symfony/Component/Translation/Resources/schemas/xml.xsd "$dest/"
