#!/usr/bin/env bash
# Start a real addok (the BAN geocoding engine) with Redis on 127.0.0.1, fed with the
# SYNTHETIC Lens/Loison-sous-Lens addresses of ortgeo.testing, for tests/test_addok_real.py.
#
#   bash .ci/addok.sh            # from the repository root; idempotent
#   eval "$(bash .ci/addok.sh | tail -n 1)"   # → ORTGEO_ADDOK_URL=http://127.0.0.1:PORT
#   bash .ci/addok.sh stop       # stop the servers it started
#
# addok lives in its own venv (it installs an auto-loading pytest plugin: keep it out of
# the project's venv). Redis is Debian's redis-server, daemonized on a free port.
# Environment: ADDOK_VENV (default /tmp/addok-venv), ADDOK_WORK (default /tmp/ortgeo-addok),
# ORTGEO_PYTHON (python with ortgeo installed; default .venv/bin/python, else python3).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${ADDOK_VENV:-/tmp/addok-venv}
WORK=${ADDOK_WORK:-/tmp/ortgeo-addok}
PY=${ORTGEO_PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
STATE=$WORK/state.env
mkdir -p "$WORK"

log() { echo "addok.sh: $*" >&2; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

pid_of() { [ -f "$1" ] && cat "$1" || true; }

stop_pid() {  # TERM, wait up to 5 s, then KILL
    local pid=$1
    alive "$pid" || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

stop_all() {
    stop_pid "$(pid_of "$WORK/gunicorn.pid")"
    stop_pid "$(pid_of "$WORK/redis.pid")"
    rm -f "$STATE" "$WORK/gunicorn.pid" "$WORK/redis.pid"
}

if [ "${1:-}" = "stop" ]; then
    stop_all
    log "stopped"
    exit 0
fi

free_port() {
    "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

answers() {  # url → 0 when addok answers /search
    "$VENV/bin/python" - "$1" <<'EOF' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/search?q=rue+de+la+gare&limit=1", timeout=3) as r:
    sys.exit(0 if json.load(r).get("features") else 1)
EOF
}

# ---------------------------------------------------------------- already running?
if [ -f "$STATE" ]; then
    # shellcheck disable=SC1090
    . "$STATE"
    if alive "$(pid_of "$WORK/redis.pid")" && alive "$(pid_of "$WORK/gunicorn.pid")" \
        && answers "http://127.0.0.1:$HTTP_PORT"; then
        log "already serving on http://127.0.0.1:$HTTP_PORT"
        echo "export ORTGEO_ADDOK_URL=http://127.0.0.1:$HTTP_PORT"
        exit 0
    fi
    log "stale state: restarting"
    stop_all
fi

# ---------------------------------------------------------------- addok venv
if ! "$VENV/bin/python" -c 'import addok, addok_fr, addok_france, addok_csv, gunicorn' 2>/dev/null; then
    log "installing addok into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        addok addok-fr addok-france addok-csv gunicorn setuptools
fi
if ! command -v redis-server >/dev/null && [ "$(id -u)" = 0 ]; then
    log "installing Debian's redis-server"
    (apt-get install -y -q redis-server >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; }) || true
fi
command -v redis-server >/dev/null || { log "redis-server not found (apt-get install redis-server)"; exit 1; }

# ---------------------------------------------------------------- redis
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$WORK" \
    --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" --save "" --appendonly no >/dev/null
for _ in $(seq 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { log "redis did not start (see $WORK/redis.log)"; exit 1; }

# ---------------------------------------------------------------- addok config (the BAN's)
# The settings of the BAN's own addok (BaseAdresseNationale/addok-docker, addok.conf):
# extra fields, filters and the three processor lists, word for word; addok-fr adds its
# French synonyms itself (its preconfigure). Only Redis, the log folder and the import
# workers are ours.
cat > "$WORK/addok_conf.py" <<EOF
# addok configuration written by ortgeo .ci/addok.sh: the BAN's (addok-docker addok.conf)
REDIS = {
    "host": "127.0.0.1",
    "port": $REDIS_PORT,
    "indexes": {"db": 0},
    "documents": {"db": 1},
}
ATTRIBUTION = "BAN"
LICENCE = "ETALAB-2.0"
EXTRA_FIELDS = [
    {"key": "citycode"},
    {"key": "oldcitycode"},
    {"key": "oldcity"},
]
QUERY_PROCESSORS_PYPATHS = [
    "addok.helpers.text.check_query_length",
    "addok_france.extract_address",
    "addok_france.clean_query",
    "addok_france.remove_leading_zeros",
]
SEARCH_RESULT_PROCESSORS_PYPATHS = [
    "addok.helpers.results.match_housenumber",
    "addok_france.make_labels",
    "addok.helpers.results.score_by_importance",
    "addok.helpers.results.score_by_autocomplete_distance",
    "addok.helpers.results.score_by_ngram_distance",
    "addok.helpers.results.score_by_geo_distance",
]
PROCESSORS_PYPATHS = [
    "addok.helpers.text.tokenize",
    "addok.helpers.text.normalize",
    "addok_france.glue_ordinal",
    "addok_france.fold_ordinal",
    "addok_france.flag_housenumber",
    "addok.helpers.text.synonymize",
    "addok_fr.phonemicize",
]
FILTERS = ["type", "citycode", "postcode"]
BATCH_WORKERS = 1
LOG_DIR = "$WORK"


# Compatibility shim: addok >= 1.3 parses every filter as a list of values, which
# addok-csv 1.1.0 (latest) still uses as one column name (TypeError: unhashable type:
# 'list' on POST /search/csv with citycode=...). Read each named column; skip empty ones.
def _match_row_filters(self, row, filters):
    out = {}
    for key, columns in filters.items():
        values = [row.get(c) for c in (columns if isinstance(columns, list) else [columns])]
        values = [v.strip() for v in values if v and v.strip()]
        if values:
            out[key] = values
    return out


import addok_csv  # noqa: E402

addok_csv.BaseCSV.match_row_filters = _match_row_filters
EOF
export ADDOK_CONFIG_MODULE=$WORK/addok_conf.py

# ---------------------------------------------------------------- data (SYNTHETIC)
# ADDOK_NDJSON: import this file instead (benchmarks/bench_addok_vs_ortgeo.py does).
DATA=${ADDOK_NDJSON:-$WORK/addok-synthetic.ndjson}
if [ -z "${ADDOK_NDJSON:-}" ]; then
"$PY" - "$WORK" <<'EOF'
import sys
from pathlib import Path
from ortgeo.testing import ADDOK_FIXTURE, write_addok_ndjson, write_synthetic_ban_export
work = Path(sys.argv[1])
csv = write_synthetic_ban_export(work / "adresses-62-synthetic.csv.gz", **ADDOK_FIXTURE)
write_addok_ndjson(csv, work / "addok-synthetic.ndjson")
EOF
fi
log "importing $DATA"
"$VENV/bin/addok" batch "$DATA" >"$WORK/import.log" 2>&1
"$VENV/bin/addok" ngrams >>"$WORK/import.log" 2>&1

# ---------------------------------------------------------------- HTTP API
HTTP_PORT=$(free_port)
"$VENV/bin/gunicorn" --daemon --bind "127.0.0.1:$HTTP_PORT" --workers 2 \
    --pid "$WORK/gunicorn.pid" --error-logfile "$WORK/gunicorn.log" --no-control-socket \
    --chdir "$WORK" addok.http.wsgi:application
URL="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 100); do
    answers "$URL" && break
    sleep 0.2
done
answers "$URL" || { log "addok does not answer on $URL (see $WORK/gunicorn.log)"; exit 1; }
printf 'REDIS_PORT=%s\nHTTP_PORT=%s\n' "$REDIS_PORT" "$HTTP_PORT" > "$STATE"
log "serving addok on $URL (redis on 127.0.0.1:$REDIS_PORT, data: ${ADDOK_NDJSON:-SYNTHETIC Lens addresses})"
echo "export ORTGEO_ADDOK_URL=$URL"
