#!/usr/bin/env bash
# Gettext catalogues: the ckanext-skpd domain, and the Indonesian catalogues
# this project completes for CKAN core and the stock extensions (i18n/core,
# i18n/extensions; see ckanext/skpd/translations).
#
#   scripts/i18n.sh compile        compile every catalogue under i18n/ to .mo
#                                  (msgfmt --check)
#   scripts/i18n.sh update         extract the strings into i18n/ckanext-skpd.pot
#                                  and merge them into every ckanext-skpd .po
#   scripts/i18n.sh stock-update   rebuild the stock templates from the installed
#                                  CKAN and extensions and merge them into the
#                                  stock catalogues
#   scripts/i18n.sh stock-report   list the messages the installed CKAN and
#                                  extensions use that no stock catalogue
#                                  translates (exit 1 if any); run after upgrades
#   scripts/i18n.sh stats          msgfmt --statistics of every catalogue
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${SKPD_VENV:-${SKPD_STATE:-$ROOT/.stack}/venv}
DOMAIN=ckanext-skpd
POT=$ROOT/i18n/$DOMAIN.pot
TOOL=("$VENV/bin/python" -m ckanext.skpd.translations.tool)

need_msgfmt() {
  command -v msgfmt >/dev/null || { echo "msgfmt not found; install gettext" >&2; exit 1; }
}

# Every .po under i18n/: the project's domain and the stock catalogues.
catalogues() {
  find "$ROOT/i18n" -path '*/LC_MESSAGES/*.po' | sort
}

compile() {
  need_msgfmt
  local count=0
  while read -r po; do
    msgfmt --check -o "${po%.po}.mo" "$po"
    count=$((count + 1))
  done < <(catalogues)
  echo "[i18n] compiled $count catalogues"
}

update() {
  (cd "$ROOT" && "$VENV/bin/pybabel" extract -F babel.cfg \
    --add-location=file --sort-output --project=ckanext-skpd -o "$POT" ckanext)
  for po in "$ROOT"/i18n/*/LC_MESSAGES/$DOMAIN.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$POT"
  done
}

stats() {
  need_msgfmt
  while read -r po; do
    printf '%s: ' "${po#"$ROOT"/}"
    msgfmt --statistics -o /dev/null "$po" 2>&1
  done < <(catalogues)
}

case "${1:-}" in
  compile) compile ;;
  update) update; compile ;;
  stock-update) "${TOOL[@]}" update; compile ;;
  stock-report) "${TOOL[@]}" report ;;
  stats) stats ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
