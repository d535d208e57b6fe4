#!/usr/bin/env bash
# Make the macOS disk image: Fieldwork.app beside a link to /Applications, so an
# inspector drags one onto the other.
#
#   bash packaging/macos/make_dmg.sh dist/Fieldwork.app dist/Fieldwork-0.1.0.dmg 0.1.0
#
# Called by `python packaging/build.py --installer` on macOS. The app is signed
# ad hoc by PyInstaller; signing with a Developer ID and notarising need the
# inspectorate's Apple developer account (docs/packaging.md).
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 APP_BUNDLE OUTPUT_DMG VERSION" >&2
  exit 2
fi
app="$1"
image="$2"
version="$3"
[ -d "$app" ] || { echo "$0: no app bundle at $app" >&2; exit 1; }

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
# ditto keeps the bundle's symlinks, permissions and extended attributes (cp -R may not).
ditto "$app" "$staging/$(basename "$app")"
ln -s /Applications "$staging/Applications"

rm -f "$image"
hdiutil create -volname "Fieldwork $version" -srcfolder "$staging" \
  -fs HFS+ -format UDZO -imagekey zlib-level=9 -ov "$image"
hdiutil verify "$image"
echo "made $image"
