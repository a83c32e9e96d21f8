#!/usr/bin/env bash
# Local Solr 9.10.1 for development and tests, built from Maven Central jars.
#
# Usage: scripts/solr.sh build|start|stop|status
#
#   build   compile the launcher and copy Solr's jars into $STATE/solr/
#           (skipped while scripts/solr/pom.xml and the launcher source are
#           unchanged since the last build)
#   start   build if needed, lay out the Solr home, start Solr in the
#           background and wait until every core responds (safe to repeat)
#   stop    SIGTERM, then SIGKILL after 30 s (exit 0 if Solr is not running)
#   status  print whether Solr is running, and its URL
#
# Environment (defaults in brackets):
#   SKPD_STATE        state folder [<repo>/.stack]
#   SKPD_SOLR_PORT    port on 127.0.0.1 [18983]
#   SKPD_SOLR_CORES   core names, space separated [ckan ckan_test ckan_remote]
#   SKPD_SOLR_HEAP    JVM -Xmx [768m]
#   SKPD_SOLR_WAIT    seconds start waits for the cores [90]
#   SKPD_VENV         virtualenv with CKAN installed [$SKPD_STATE/venv]
#   SKPD_CKAN_SCHEMA  CKAN's schema.xml; overrides the one found in SKPD_VENV
#
# Layout under $STATE/solr: lib/ and skpd-solr-launcher.jar (the build),
# home/ (solr.xml, one folder per core with conf/ and data/), logs/solr.log
# (Solr's log), logs/solr.out (the JVM's stdout and stderr), solr.pid.
# Each start rewrites every core's conf/ from scripts/solr/ and CKAN's schema;
# index data in home/<core>/data is never deleted.
#
# Exit status: 0 success; 1 failure (message on stderr); 3 from status when
# Solr is not running; 64 usage error.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$REPO/scripts/solr
STATE=${SKPD_STATE:-$REPO/.stack}
PORT=${SKPD_SOLR_PORT:-18983}
CORES=${SKPD_SOLR_CORES:-ckan ckan_test ckan_remote}
HEAP=${SKPD_SOLR_HEAP:-768m}
WAIT=${SKPD_SOLR_WAIT:-90}
VENV=${SKPD_VENV:-$STATE/venv}

SOLR_DIR=$STATE/solr
LIB=$SOLR_DIR/lib
JAR=$SOLR_DIR/skpd-solr-launcher.jar
STAMP=$SOLR_DIR/build.sha256
SOLR_HOME=$SOLR_DIR/home
LOG_DIR=$SOLR_DIR/logs
OUT_FILE=$LOG_DIR/solr.out
PID_FILE=$SOLR_DIR/solr.pid
BASE_URL=http://127.0.0.1:$PORT/solr
MAIN_CLASS=skpd.solr.SolrLauncher

say() { echo "solr.sh: $*"; }
die() {
    echo "solr.sh: $*" >&2
    exit 1
}

[[ $PORT =~ ^[0-9]+$ ]] || die "SKPD_SOLR_PORT must be a port number, not '$PORT'"
[[ $WAIT =~ ^[0-9]+$ ]] || die "SKPD_SOLR_WAIT must be a number of seconds, not '$WAIT'"
for core in $CORES; do
    [[ $core =~ ^[A-Za-z0-9_-]+$ ]] || die "bad core name '$core' in SKPD_SOLR_CORES"
done
[[ -n ${CORES// /} ]] || die "SKPD_SOLR_CORES is empty"

# Print the checksums of every file the build depends on.
build_inputs_sum() {
    (cd "$SRC" && sha256sum pom.xml src/main/java/skpd/solr/*.java)
}

is_built() {
    [[ -d $LIB && -f $JAR && -f $STAMP ]] &&
        [[ "$(build_inputs_sum)" == "$(cat "$STAMP")" ]]
}

cmd_build() {
    if is_built; then
        return 0
    fi
    if [[ -n $(our_pid) ]]; then
        die "the launcher or its pom changed, but Solr is running from the old build; run '$0 stop' first"
    fi
    command -v mvn >/dev/null || die "mvn not found; install Maven 3.8+ and Java 17"
    command -v java >/dev/null || die "java not found; install Java 17"
    say "building the Solr launcher into $SOLR_DIR (Maven; the first build downloads ~90 MB into ~/.m2)"
    mkdir -p "$SOLR_DIR"
    # Start from an empty lib/ so jars of a replaced version do not linger on the classpath.
    rm -rf "$LIB" "$JAR" "$STAMP"
    if ! mvn -q -B -f "$SRC/pom.xml" -Dskpd.solr.out="$SOLR_DIR" package >"$SOLR_DIR/build.log" 2>&1; then
        tail -n 30 "$SOLR_DIR/build.log" >&2
        die "Maven build failed; full output in $SOLR_DIR/build.log"
    fi
    build_inputs_sum >"$STAMP"
    say "built: $(find "$LIB" -name '*.jar' | wc -l) jars, $(du -sh "$LIB" | cut -f1) in $LIB"
}

# Print the pid from the pid file if that process is our launcher, else nothing.
our_pid() {
    local pid args
    [[ -f $PID_FILE ]] || return 0
    pid=$(cat "$PID_FILE" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    args=$(ps -o args= -p "$pid" 2>/dev/null || true)
    if [[ $args == *"$MAIN_CLASS"* ]]; then
        echo "$pid"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

core_answers() {
    curl -fsS -o /dev/null -m 5 "$BASE_URL/$1/admin/ping?wt=json" 2>/dev/null ||
        curl -fsS -o /dev/null -m 5 "$BASE_URL/$1/select?q=*:*&rows=0&wt=json" 2>/dev/null
}

all_cores_answer() {
    local core
    for core in $CORES; do
        core_answers "$core" || return 1
    done
}

ckan_schema_path() {
    if [[ -n ${SKPD_CKAN_SCHEMA:-} ]]; then
        [[ -f $SKPD_CKAN_SCHEMA ]] || die "SKPD_CKAN_SCHEMA=$SKPD_CKAN_SCHEMA does not exist"
        echo "$SKPD_CKAN_SCHEMA"
        return
    fi
    [[ -x $VENV/bin/python ]] ||
        die "no virtualenv at $VENV; run 'make venv' first (or set SKPD_VENV or SKPD_CKAN_SCHEMA)"
    local ckan_dir
    ckan_dir=$("$VENV/bin/python" -c 'import ckan,os;print(os.path.dirname(ckan.__file__))' 2>/dev/null) ||
        die "CKAN is not installed in $VENV; run 'make venv' first (or set SKPD_CKAN_SCHEMA)"
    [[ -f $ckan_dir/config/solr/schema.xml ]] ||
        die "no schema.xml in $ckan_dir/config/solr; is CKAN installed correctly in $VENV?"
    echo "$ckan_dir/config/solr/schema.xml"
}

# Write $2 to file $1 only if it differs, so timestamps stay put across starts.
put_file() {
    if [[ ! -f $1 ]] || [[ "$(cat "$1")" != "$2" ]]; then
        printf '%s\n' "$2" >"$1"
    fi
}

layout_home() {
    local schema=$1 core conf
    mkdir -p "$SOLR_HOME" "$LOG_DIR"
    put_file "$SOLR_HOME/solr.xml" '<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/solr.sh. A standalone node: cores are found by
     their core.properties under this folder. -->
<solr>
</solr>'
    for core in $CORES; do
        conf=$SOLR_HOME/$core/conf
        mkdir -p "$conf"
        put_file "$SOLR_HOME/$core/core.properties" "name=$core"
        cp "$SRC/conf/solrconfig.xml" "$SRC/conf/protwords.txt" "$SRC/conf/synonyms.txt" "$conf/"
        python3 "$SRC/make_schema.py" "$schema" "$conf/schema.xml" >/dev/null ||
            die "could not write $conf/schema.xml from $schema"
    done
}

# Wait until every core responds. Returns 0 when they do, 2 if the process
# with pid $1 exited, and 1 on timeout.
wait_for_cores() {
    local pid=$1 deadline=$((SECONDS + WAIT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            return 2
        fi
        if all_cores_answer; then
            return 0
        fi
        sleep 0.5
    done
    all_cores_answer
}

cmd_start() {
    local pid schema started rc
    mkdir -p "$SOLR_DIR"
    # Serialise concurrent starts (e.g. `make run` and `make test` at once).
    exec 9>"$SOLR_DIR/.lock"
    flock -w $((WAIT + 600)) 9 ||
        die "timed out waiting for $SOLR_DIR/.lock, which another solr.sh start still holds"

    pid=$(our_pid)
    if [[ -n $pid ]]; then
        if wait_for_cores "$pid"; then
            say "already running (pid $pid) at $BASE_URL, cores: $CORES"
            return 0
        fi
        die "Solr (pid $pid) is running, but not all of the cores '$CORES' respond at $BASE_URL; see $LOG_DIR/solr.log, or run '$0 stop' and start again"
    fi
    rm -f "$PID_FILE"

    if port_in_use; then
        die "port 127.0.0.1:$PORT is already taken by a program that is not the Solr started by this script (see 'ss -ltnp sport = :$PORT'); stop it, or set SKPD_SOLR_PORT to a free port"
    fi

    schema=$(ckan_schema_path)
    cmd_build
    layout_home "$schema"

    say "starting Solr on $BASE_URL (cores: $CORES; heap $HEAP)"
    started=$SECONDS
    # Run from $SOLR_DIR so any file the JVM writes to its working folder stays in the state
    # folder. The subshell execs java, so $! is the JVM's pid. setsid puts the
    # JVM in a session of its own, so a Ctrl-C in the terminal that started
    # it (for example during `make run`) does not stop Solr.
    (
        cd "$SOLR_DIR"
        exec setsid nohup java -Xmx"$HEAP" \
            -XX:+ExitOnOutOfMemoryError \
            -Dlog4j2.configurationFile="$SRC/log4j2.xml" \
            -Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager \
            -Dskpd.solr.log.dir="$LOG_DIR" \
            -Dsolr.log.dir="$LOG_DIR" \
            -Dsolr.solr.home="$SOLR_HOME" \
            -cp "$JAR:$LIB/*" "$MAIN_CLASS" "$PORT" "$SOLR_HOME" \
            >"$OUT_FILE" 2>&1 </dev/null 9>&-
    ) &
    pid=$!
    echo "$pid" >"$PID_FILE"

    rc=0
    wait_for_cores "$pid" || rc=$?
    if ((rc == 0)); then
        say "Solr is up at $BASE_URL (pid $pid, $((SECONDS - started)) s); CKAN: solr_url = $BASE_URL/<core>"
        return 0
    fi
    if ((rc == 2)); then
        rm -f "$PID_FILE"
        echo "solr.sh: Solr exited during start-up; last lines of $OUT_FILE:" >&2
        tail -n 20 "$OUT_FILE" >&2 || true
        die "see $LOG_DIR/solr.log for details"
    fi
    stop_pid "$pid"
    die "Solr did not come up in $WAIT s (stopped it again); see $LOG_DIR/solr.log (and $OUT_FILE)"
}

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "Solr (pid $pid) did not stop within 30 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$PID_FILE"
}

cmd_stop() {
    local pid
    pid=$(our_pid)
    if [[ -z $pid ]]; then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    say "stopping Solr (pid $pid)"
    stop_pid "$pid"
    say "stopped"
}

cmd_status() {
    local pid
    pid=$(our_pid)
    if [[ -z $pid ]]; then
        say "not running (would serve $BASE_URL)"
        return 3
    fi
    if all_cores_answer; then
        say "running (pid $pid) at $BASE_URL, cores: $CORES"
    else
        say "running (pid $pid) at $BASE_URL, but not all of the cores '$CORES' respond yet"
    fi
}

case ${1:-} in
    build) cmd_build ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 build|start|stop|status" >&2
        exit 64
        ;;
esac
