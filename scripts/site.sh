#!/usr/bin/env bash
# The demo catalogue site: its configuration, its background processes and
# its first load.
#
#   scripts/site.sh config      write $STATE/ckan.ini (kept; settings re-applied)
#   scripts/site.sh workers     start the data server, the harvest consumers
#                               and the job worker (safe to repeat)
#   scripts/site.sh load        load the demo catalogue when the site is empty
#   scripts/site.sh serve       serve the site in the foreground (Ctrl-C stops it)
#   scripts/site.sh stop        stop the background processes
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${SKPD_STATE:-$ROOT/.stack}
VENV=${SKPD_VENV:-$STATE/venv}
INI=$STATE/ckan.ini
LOGS=$STATE/logs
RUN=$STATE/run
PORT=${SKPD_PORT:-5000}
PG_PORT=${SKPD_PG_PORT:-54329}
REDIS_PORT=${SKPD_REDIS_PORT:-63799}
SOLR_PORT=${SKPD_SOLR_PORT:-18983}
DATA_PORT=${SKPD_DATA_PORT:-18080}
DATA_DIR=${SKPD_DATA_DIR:-$ROOT/../shared/data/datajson}
CKAN=$VENV/bin/ckan

log() { printf '[site] %s\n' "$*"; }
die() { printf '[site] ERROR: %s\n' "$*" >&2; exit 1; }

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
  return 1
}

# edit_ini SECTION "key = value"...: set options in $INI with CKAN's own
# config editor (what `ckan config-tool` runs), without loading CKAN.
edit_ini() {
  "$VENV/bin/python" -c '
import sys
from ckan.lib.config_tool import config_edit_using_option_strings
config_edit_using_option_strings(sys.argv[1], sys.argv[3:], sys.argv[2])
' "$INI" "$@"
}

cmd_config() {
  mkdir -p "$STATE/storage" "$LOGS" "$RUN"
  if [ ! -f "$INI" ]; then
    "$CKAN" generate config "$INI" >/dev/null || die "could not write $INI"
    log "wrote $INI"
  fi
  # Re-applied at every start, so a changed port or plugin list takes effect.
  edit_ini "app:main" \
    "ckan.site_url = http://127.0.0.1:$PORT" \
    "ckan.site_id = skpd" \
    "ckan.site_title = Katalog Data SKPD" \
    "sqlalchemy.url = postgresql://ckan_skpd:ckan_skpd@127.0.0.1:$PG_PORT/ckan_skpd" \
    "solr_url = http://127.0.0.1:$SOLR_PORT/solr/ckan" \
    "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/0" \
    "ckan.plugins = skpd scheming_datasets scheming_organizations activity harvest skpd_datajson skpd_spreadsheet skpd_ckan skpd_waf skpd_dcat_rdf dcat spatial_metadata spatial_query skpd_i18n_core skpd_i18n_harvest skpd_i18n_dcat skpd_i18n_scheming skpd_i18n_spatial" \
    "scheming.dataset_schemas = ckanext.skpd.schemas:dataset.yaml" \
    "scheming.organization_schemas = ckanext.skpd.schemas:organization.yaml" \
    "scheming.presets = ckanext.scheming:presets.json" \
    "ckanext.spatial.search_backend = solr-bbox" \
    "ckan.harvest.mq.type = redis" \
    "ckanext.dcat.rdf.profiles = euro_dcat_ap_3 skpd_dcat_ap" \
    "ckan.locale_default = id" \
    "ckan.locales_offered = id en" \
    "ckan.storage_path = $STATE/storage" \
    "ckan.auth.create_unowned_dataset = false" \
    "ckan.auth.user_create_organizations = false" \
    "ckan.gravatar_default = disabled" \
    "ckan.views.default_views = " \
    || die "could not update $INI"
  # Keep the terminal readable: CKAN at WARNING, the extensions at INFO.
  edit_ini logger_ckan "level = WARNING" || die "could not update $INI"
  edit_ini logger_ckanext "level = INFO" || die "could not update $INI"
}

# start_daemon NAME COMMAND...: run COMMAND in the background, in a process
# group of its own, unless the group recorded in $RUN/NAME.pid is alive. A
# command that exits is logged and started again after 2 s, so a worker
# that crashes does not stay down.
start_daemon() {
  local name=$1
  shift
  local pid_file=$RUN/$name.pid
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    log "$name already running (pid $(cat "$pid_file"))"
    return
  fi
  setsid bash -c '
    trap "kill \$child 2>/dev/null; wait \$child; exit 0" TERM INT
    while :; do
      "$@" &
      child=$!
      wait $child && code=0 || code=$?
      echo "[site] $(date -Is) exited with code $code; starting again in 2 s"
      sleep 2
    done' "$name" "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! >"$pid_file"
  log "$name started (pid $!, log $LOGS/$name.log)"
}

stop_daemon() {
  local pid_file=$RUN/$1.pid
  [ -f "$pid_file" ] || return 0
  local pid
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 -- -"$pid" 2>/dev/null || true
    log "$1 stopped"
  fi
  rm -f "$pid_file"
}

cmd_workers() {
  mkdir -p "$LOGS" "$RUN"
  # The demo files are served only for the first load; a loaded site
  # starts without them.
  if [ ! -d "$DATA_DIR" ] && [ -f "$STATE/demo-loaded" ]; then
    log "demo data folder $DATA_DIR not found; the demo catalogue is loaded, so it is not served"
  else
    [ -d "$DATA_DIR" ] || die "demo data folder $DATA_DIR not found; set SKPD_DATA_DIR"
    if [ ! -f "$RUN/data-server.pid" ] || ! kill -0 "$(cat "$RUN/data-server.pid")" 2>/dev/null; then
      port_in_use "$DATA_PORT" \
        && die "port $DATA_PORT is taken by another program; stop it or set SKPD_DATA_PORT"
    fi
    start_daemon data-server "$VENV/bin/python" -m http.server "$DATA_PORT" \
      --bind 127.0.0.1 --directory "$DATA_DIR"
  fi
  # The harvest consumers wait in a Redis BLPOP without end. redis-py 8
  # aborts such a read after its default 5 s socket time-out, so the
  # consumers get a Redis URL whose time-out is a year.
  local queue_url="redis://127.0.0.1:$REDIS_PORT/0?socket_timeout=31536000"
  start_daemon gather-consumer env CKAN_REDIS_URL="$queue_url" \
    "$CKAN" -c "$INI" harvester gather-consumer
  start_daemon fetch-consumer env CKAN_REDIS_URL="$queue_url" \
    "$CKAN" -c "$INI" harvester fetch-consumer
  start_daemon jobs-worker "$CKAN" -c "$INI" jobs worker
}

# The number of active datasets, read straight from the database so that a
# second start does not pay for loading CKAN just to find the site filled.
dataset_count() {
  "$VENV/bin/python" - "$PG_PORT" <<'PY'
import sys

import psycopg2

with psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), dbname="ckan_skpd",
                      user="ckan_skpd", password="ckan_skpd") as conn:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM package WHERE state = 'active' AND type = 'dataset'")
        print(cur.fetchone()[0])
PY
}

# The demo catalogue is loaded until one load has finished: an interrupted
# first load is resumed by the next start (unchanged records are skipped),
# and a site that had datasets before the first start is left alone.
cmd_load() {
  local marker=$STATE/demo-loaded count
  if [ -f "$marker" ]; then
    log "the demo catalogue was loaded on $(cat "$marker"); not loaded again"
    return
  fi
  count=$(dataset_count)
  if [ "$count" -gt 0 ] && [ ! -f "$STATE/demo-started" ]; then
    log "the site already has $count datasets; the demo catalogue is not loaded"
    return
  fi
  exec 8>"$RUN/load.lock"
  flock -n 8 || die "another start is loading the demo catalogue; wait for it to finish"
  date -Is >"$STATE/demo-started"
  "$CKAN" -c "$INI" skpd load-demo \
    --data-dir "$DATA_DIR" --base-url "http://127.0.0.1:$DATA_PORT"
  date -Is >"$marker"
}

cmd_serve() {
  port_in_use "$PORT" && die "port $PORT is taken; stop the program using it or set SKPD_PORT"
  log "serving http://127.0.0.1:$PORT (Ctrl-C stops the web process; 'make stop' stops the rest)"
  echo $$ >"$RUN/web.pid"
  exec "$CKAN" -c "$INI" run --host 127.0.0.1 --port "$PORT" --disable-reloader --threaded
}

cmd_stop() {
  for name in web jobs-worker fetch-consumer gather-consumer data-server; do
    stop_daemon "$name"
  done
}

case "${1:-}" in
  config) cmd_config ;;
  workers) cmd_workers ;;
  load) cmd_load ;;
  serve) cmd_serve ;;
  stop) cmd_stop ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
