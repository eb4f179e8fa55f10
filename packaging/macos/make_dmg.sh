#!/usr/bin/env bash
# macOS: the signed, notarised disk image of "dist/Insighta Desktop.app" (see packaging/README.md, "macOS").
#
#   INSIGHTA_CODESIGN_IDENTITY="Developer ID Application: Example Ltd (TEAMID)" uv run python packaging/build.py
#   packaging/macos/make_dmg.sh --identity "Developer ID Application: Example Ltd (TEAMID)" --notary-profile insighta
#
# With INSIGHTA_CODESIGN_IDENTITY set, PyInstaller signs every binary and the .app with the hardened runtime and
# packaging/macos/entitlements.plist. This script checks that signature, puts the app in a disk image with a link to
# /Applications, signs the image, submits it to Apple's notary service and staples the ticket to it. Without
# --identity it makes an unsigned image (for testing on your own Mac only: Gatekeeper blocks it elsewhere).
# The notary profile is stored once with:
#   xcrun notarytool store-credentials insighta --apple-id you@example.com --team-id TEAMID
set -euo pipefail
cd "$(dirname "$0")/../.."

identity="" profile=""
while [ $# -gt 0 ]; do
  case "$1" in
    --identity) identity="$2"; shift 2 ;;
    --notary-profile) profile="$2"; shift 2 ;;
    *) echo "usage: $0 [--identity 'Developer ID Application: …'] [--notary-profile NAME]" >&2; exit 2 ;;
  esac
done

app="dist/Insighta Desktop.app"
[ -d "$app" ] || { echo "$app is missing: build it first with packaging/build.py" >&2; exit 1; }
version="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$app/Contents/Info.plist")"
dmg="dist/insighta-desktop-$version-macos-$(uname -m).dmg"

if [ -n "$identity" ]; then
  codesign --verify --deep --strict --verbose=2 "$app"  # signed by PyInstaller (INSIGHTA_CODESIGN_IDENTITY)
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Insighta Desktop" -srcfolder "$staging" -ov -format UDZO "$dmg"

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  if [ -n "$profile" ]; then
    xcrun notarytool submit "$dmg" --keychain-profile "$profile" --wait
    xcrun stapler staple "$dmg"
    spctl --assess --type open --context context:primary-signature --verbose "$dmg"
  else
    echo "signed but not notarised (no --notary-profile): Gatekeeper will warn on other Macs" >&2
  fi
fi
echo "Disk image: $dmg"
