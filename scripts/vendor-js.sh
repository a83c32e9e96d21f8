#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry.
#
#   scripts/vendor-js.sh          fetch every package of VERSIONS and copy
#                                 its listed files into assets/vendor/
#   scripts/vendor-js.sh --check  only verify that every listed file exists
#
# The versions live in ckanext/skpd/assets/vendor/VERSIONS. The site never
# loads anything from a CDN: the copied files are committed and served by
# CKAN's webassets.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENDOR=$ROOT/ckanext/skpd/assets/vendor
VERSIONS=$VENDOR/VERSIONS

log() { printf '[vendor-js] %s\n' "$*"; }
die() { printf '[vendor-js] ERROR: %s\n' "$*" >&2; exit 1; }

entries() {
  grep -v '^[[:space:]]*\(#\|$\)' "$VERSIONS"
}

check() {
  local status=0 package version folder file
  while read -r package version folder files; do
    for file in $files; do
      if [ ! -s "$VENDOR/$folder/$(basename "$file")" ]; then
        printf '[vendor-js] missing: %s/%s (%s@%s)\n' "$folder" "$(basename "$file")" \
          "$package" "$version" >&2
        status=1
      fi
    done
  done < <(entries)
  return $status
}

fetch() {
  command -v npm >/dev/null || die "npm not found; install Node.js and npm first"
  local package version folder files file unpacked tarball
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  local work=$WORK
  while read -r package version folder files; do
    log "$package@$version -> assets/vendor/$folder/"
    tarball=$(cd "$work" && npm pack --silent "$package@$version") \
      || die "npm pack $package@$version failed"
    unpacked=$work/unpacked-${tarball%.tgz}
    mkdir -p "$unpacked"
    tar xzf "$work/$tarball" -C "$unpacked"
    mkdir -p "$VENDOR/$folder"
    for file in $files; do
      [ -f "$unpacked/package/$file" ] || die "$package@$version has no $file"
      cp "$unpacked/package/$file" "$VENDOR/$folder/$(basename "$file")"
    done
  done < <(entries)
  check
  log "done; review the changes with git diff --stat ckanext/skpd/assets/vendor"
}

case "${1:-}" in
  --check) check ;;
  "") fetch ;;
  *) die "unknown option $1 (use --check or nothing)" ;;
esac
