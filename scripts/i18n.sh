#!/usr/bin/env bash
# Gettext catalogues of the ckanext-skpd domain.
#
#   scripts/i18n.sh compile   compile i18n/*/LC_MESSAGES/*.po to .mo (msgfmt --check)
#   scripts/i18n.sh update    extract the strings into i18n/ckanext-skpd.pot
#                             and merge them into every .po
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${SKPD_VENV:-${SKPD_STATE:-$ROOT/.stack}/venv}
DOMAIN=ckanext-skpd
POT=$ROOT/i18n/$DOMAIN.pot

compile() {
  command -v msgfmt >/dev/null || { echo "msgfmt not found; install gettext" >&2; exit 1; }
  for po in "$ROOT"/i18n/*/LC_MESSAGES/$DOMAIN.po; do
    msgfmt --check -o "${po%.po}.mo" "$po"
  done
  echo "[i18n] compiled $(ls "$ROOT"/i18n/*/LC_MESSAGES/$DOMAIN.mo | wc -l) catalogues"
}

update() {
  (cd "$ROOT" && "$VENV/bin/pybabel" extract -F babel.cfg -k _ -k N_ -k ngettext \
    --no-location --sort-output --project=ckanext-skpd -o "$POT" ckanext)
  for po in "$ROOT"/i18n/*/LC_MESSAGES/$DOMAIN.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$POT"
  done
}

case "${1:-}" in
  compile) compile ;;
  update) update; compile ;;
  *) sed -n '2,6p' "$0"; exit 2 ;;
esac
