#!/usr/bin/env bash
# make load: gunicorn on 127.0.0.1 (free port) against a fresh PostgreSQL database with the demo data and the
# load plan, locust headless for 2 minutes with 50 users (10 started per second), then the checks of check.py.
# LOAD_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432); the database load_<pid> is
# created and dropped.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BIN=.venv/bin
SERVER=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432}
NAME=load_$$
# Development settings (static files from the source folders: no collectstatic needed).
export DATABASE_URL="$SERVER/$NAME" DEBUG=true
OUT=var/load
PORT=$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$OUT"
$BIN/python - "$SERVER" "$NAME" <<'PY'
import sys, psycopg2
connection = psycopg2.connect(sys.argv[1] + "/postgres"); connection.autocommit = True
connection.cursor().execute(f'CREATE DATABASE "{sys.argv[2]}"')
PY
cleanup() {
  [ -n "${GUNICORN:-}" ] && kill "$GUNICORN" 2>/dev/null && wait "$GUNICORN" 2>/dev/null
  $BIN/python - "$SERVER" "$NAME" <<'PY' || true
import sys, psycopg2
connection = psycopg2.connect(sys.argv[1] + "/postgres"); connection.autocommit = True
connection.cursor().execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
PY
}
trap cleanup EXIT
$BIN/python manage.py migrate --noinput -v 0
$BIN/python manage.py load_demo_data >/dev/null
EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend \
  $BIN/python manage.py shell -c "from aftersales.tests.load.seed import main; main('$OUT/plan.json')"
# Keep-alive past the users' longest pause (2 s): with gunicorn's default of 2 s the server drops an idle
# connection just as the user sends the next request on it, and the request is lost (RemoteDisconnected).
$BIN/gunicorn aftersales.wsgi --bind "127.0.0.1:$PORT" --workers 4 --threads 2 --timeout 120 --keep-alive 10 --log-level warning &
GUNICORN=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/accounts/login/" >/dev/null && break; sleep 0.5; done
SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOAD_PLAN="$OUT/plan.json" $BIN/locust -f aftersales/tests/load/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  -u 50 -r 10 --run-time 2m --stop-timeout 10 --csv "$OUT/stats" --only-summary --exit-code-on-error 0
$BIN/python manage.py shell -c "from aftersales.tests.load.check import main; main('$OUT/stats_stats.csv', '$SINCE')"
