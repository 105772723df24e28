#!/usr/bin/env bash
# The API as an outside client sees it (issue 20): a development server with the demo election on
# a free loopback port, an auditor's token, then schemathesis over HTTP with every check and the
# examples, coverage and fuzzing phases (all but stateful). Any disagreement between the schema
# and what the server accepts or answers fails the run. The server is stopped on exit.
# MAX_EXAMPLES (default 10) bounds the fuzzing phase; extra arguments go to schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
work=$(mktemp -d)
server=""
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DEBUG=1 DEVTOOLS=1 CONN_MAX_AGE=0 DATABASE_URL="sqlite:///$work/api.sqlite3"
# The demo server lives only as long as this run: no throttling, no Celery, no Redis.
export API_THROTTLE_RATE="" CELERY_BROKER_URL="" CACHE_URL=""

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py load_demo --base-url "http://127.0.0.1:$port" >"$work/demo.log"
token=$("$PY" manage.py issue_token auditor --days 1 --note "API conformance run" 2>/dev/null)

"$PY" manage.py runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/api/schema/?format=json" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 1
done

# Run from the temporary directory: schemathesis keeps its own files (.schemathesis/) where it runs.
root=$(pwd)
cd "$work"
SCHEMATHESIS_HOOKS="$root/scripts/schemathesis_hooks.py" "$root/.venv/bin/schemathesis" run "http://127.0.0.1:$port/api/schema/?format=json" \
  --checks all \
  --phases examples,coverage,fuzzing \
  --max-examples "${MAX_EXAMPLES:-10}" \
  --generation-deterministic \
  --suppress-health-check all \
  --no-color \
  -H "Authorization: Token $token" \
  "$@"
