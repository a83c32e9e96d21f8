#!/usr/bin/env bash
# Install and run the services of the catalogue as the user's own instances:
# PostgreSQL, Redis and Solr, with their data under the state folder.
#
#   scripts/stack.sh install   operating-system packages (apt), once
#   scripts/stack.sh venv      Python virtual environment with CKAN and the extension
#   scripts/stack.sh start     start PostgreSQL, Redis and Solr (safe to repeat)
#   scripts/stack.sh db INI    create or migrate the databases of a CKAN ini
#   scripts/stack.sh stop      stop the services
#   scripts/stack.sh status    print what runs where
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${SKPD_STATE:-$ROOT/.stack}
VENV=${SKPD_VENV:-$STATE/venv}
PG_PORT=${SKPD_PG_PORT:-54329}
REDIS_PORT=${SKPD_REDIS_PORT:-63799}
REDIS_DIR=$STATE/redis
WAIT=${SKPD_WAIT:-60}

APT_PACKAGES=(
  postgresql postgresql-contrib redis-server libpq-dev gettext libmagic1
  python3-venv python3-dev build-essential openjdk-17-jdk-headless maven curl
  chromium fonts-dejavu-core
)

log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || die "PostgreSQL server binaries not found; run 'scripts/stack.sh install'"
  echo "$dir"
}

# PostgreSQL refuses to run as root, so root runs it as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
  return 1
}

cmd_install() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "operating-system packages already installed"
    return
  fi
  log "installing: ${missing[*]}"
  as_root apt-get update -qq \
    || die "apt-get update failed; check the network and /etc/apt/sources.list"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" \
    || die "could not install ${missing[*]}; install them by hand and run again"
  # The Debian packages start system-wide servers; this project runs its own.
  as_root systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
}

cmd_venv() {
  local stamp=$STATE/venv.stamp
  local want
  want=$(cat "$ROOT/requirements.txt" "$ROOT/dev-requirements.txt" "$ROOT/setup.py" \
    | sha256sum | cut -d' ' -f1)
  if [ -x "$VENV/bin/ckan" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    log "virtual environment up to date: $VENV"
  else
    mkdir -p "$STATE"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" \
      || die "could not create $VENV; install python3-venv"
    "$VENV/bin/pip" install -q -U pip wheel setuptools
    "$VENV/bin/pip" install -q -r "$ROOT/requirements.txt" -r "$ROOT/dev-requirements.txt" \
      || die "pip could not install the requirements; see the output above"
    "$VENV/bin/pip" install -q -e "$ROOT" >"$STATE/pip-editable.log" 2>&1 \
      || die "pip could not install the extension; see $STATE/pip-editable.log"
    echo "$want" >"$stamp"
  fi
  "$ROOT/scripts/i18n.sh" compile
}

# Root runs PostgreSQL as the postgres user, which must reach the data
# folder. When the checkout sits where that user cannot go (under /root, for
# example), the data lives under /var/tmp instead, in a folder named after
# the state folder.
pg_paths() {
  PG_HOME=$STATE/postgres
  if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
    mkdir -p "$PG_HOME"
    chown postgres "$PG_HOME"
    if ! runuser -u postgres -- test -w "$PG_HOME"; then
      PG_HOME=/var/tmp/ckanext-skpd-$(printf '%s' "$STATE" | sha1sum | cut -c1-12)/postgres
      mkdir -p "$PG_HOME"
      chown postgres "$PG_HOME"
    fi
  fi
  PG_DATA=$PG_HOME/data
  PG_LOG=$PG_HOME/postgres.log
}

pg_start() {
  local bin
  bin=$(pg_bin)
  mkdir -p "$PG_HOME"
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL in $PG_DATA"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$PG_HOME/initdb.log" 2>&1 \
      || die "initdb failed; see $PG_HOME/initdb.log"
  fi
  if as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "PostgreSQL already running on port $PG_PORT"
    return
  fi
  port_in_use "$PG_PORT" \
    && die "port $PG_PORT is taken by another program; stop it or set SKPD_PG_PORT"
  as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT" \
    -o "-p $PG_PORT -k '' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
    start >/dev/null \
    || die "PostgreSQL did not come up in ${WAIT}s; see $PG_LOG"
  log "PostgreSQL running on 127.0.0.1:$PG_PORT"
}

redis_start() {
  mkdir -p "$REDIS_DIR"
  local pid_file=$REDIS_DIR/redis.pid
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    log "Redis already running on port $REDIS_PORT"
    return
  fi
  port_in_use "$REDIS_PORT" \
    && die "port $REDIS_PORT is taken by another program; stop it or set SKPD_REDIS_PORT"
  command -v redis-server >/dev/null || die "redis-server not found; run 'scripts/stack.sh install'"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$pid_file" --logfile "$REDIS_DIR/redis.log" \
    --save "" --appendonly no >/dev/null
  for _ in $(seq "$WAIT"); do
    port_in_use "$REDIS_PORT" && { log "Redis running on 127.0.0.1:$REDIS_PORT"; return; }
    sleep 1
  done
  die "Redis did not come up in ${WAIT}s; see $REDIS_DIR/redis.log"
}

cmd_start() {
  pg_paths
  pg_start
  redis_start
  SKPD_STATE=$STATE SKPD_VENV=$VENV "$ROOT/scripts/solr.sh" start
}

psql_admin() {
  as_pg "$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

ensure_database() {
  local user=$1 password=$2 db=$3
  if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$user'")" ]; then
    psql_admin -c "CREATE ROLE $user LOGIN PASSWORD '$password'"
  fi
  if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
    log "creating database $db"
    rm -f "$STATE/db-$db.stamp"
    psql_admin -c "CREATE DATABASE $db OWNER $user ENCODING 'UTF8' TEMPLATE template0"
  fi
}

# Create the database named in the ini's sqlalchemy.url (or CKAN_SQLALCHEMY_URL)
# and apply the migrations of CKAN and of every enabled plugin (activity,
# harvest).
cmd_db() {
  pg_paths
  local ini=${1:?usage: stack.sh db INI}
  local url
  url=${CKAN_SQLALCHEMY_URL:-$(sed -n 's/^sqlalchemy.url *= *//p' "$ini" | head -n 1)}
  [[ $url =~ ^postgresql://([^:]+):([^@]+)@[^/]+/([A-Za-z0-9_]+)$ ]] \
    || die "cannot read user, password and database from sqlalchemy.url '$url' in $ini"
  local db=${BASH_REMATCH[3]}
  ensure_database "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$db"
  # Migrations change only with the installed packages, the plugin list or
  # this extension's own migrations, so when none of them changed the CKAN
  # start-up that `db upgrade` costs is skipped.
  local stamp_file=$STATE/db-$db.stamp want
  want=$( { cat "$STATE/venv.stamp" 2>/dev/null; grep -A3 '^ckan.plugins' "$ini";
            cat "$ROOT"/ckanext/skpd/migration/*/versions/*.py; } \
    | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp_file" 2>/dev/null)" = "$want" ]; then
    log "database $db is up to date"
    return
  fi
  # `db upgrade` also applies the migrations of the enabled plugins.
  "$VENV/bin/ckan" -c "$ini" db upgrade >/dev/null \
    || die "'ckan db upgrade' failed for $ini; see the output above"
  echo "$want" >"$stamp_file"
  log "database $db is up to date"
}

cmd_stop() {
  pg_paths
  SKPD_STATE=$STATE SKPD_VENV=$VENV "$ROOT/scripts/solr.sh" stop || true
  if [ -f "$REDIS_DIR/redis.pid" ] && kill -0 "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null; then
    kill "$(cat "$REDIS_DIR/redis.pid")" && log "Redis stopped"
  fi
  if [ -s "$PG_DATA/PG_VERSION" ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 \
      && log "PostgreSQL stopped" || true
  fi
}

cmd_status() {
  pg_paths
  port_in_use "$PG_PORT" && log "PostgreSQL: 127.0.0.1:$PG_PORT" || log "PostgreSQL: not running"
  port_in_use "$REDIS_PORT" && log "Redis: 127.0.0.1:$REDIS_PORT" || log "Redis: not running"
  SKPD_STATE=$STATE "$ROOT/scripts/solr.sh" status || true
}

case "${1:-}" in
  install) cmd_install ;;
  venv) cmd_venv ;;
  start) cmd_start ;;
  db) shift; cmd_db "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) sed -n '2,11p' "$0"; exit 2 ;;
esac
