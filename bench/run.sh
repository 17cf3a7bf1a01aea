#!/usr/bin/env bash
# make bench SIZE=small|medium|large: ShareKPI's speed as ratios to floors measured in
# the same run, written to BENCHMARKS.md. Loopback only.
#
# Starts PostgreSQL and Redis if they are down (like .ci/run) and leaves them
# running: they may be shared. Everything else is its own and is removed at
# the end: the database sharekpi_bench_<size> (BENCH_KEEP_DB=1 keeps it), the
# Celery queues in Redis database 13 (BENCH_REDIS_DB), and the gunicorn, worker and fake
# platform processes that bench/run_bench.py starts.
set -euo pipefail
cd "$(dirname "$0")/.."

size="${1:-large}"
case "$size" in
  small) staff=5000 shares=100000 ;;
  medium) staff=25000 shares=1000000 ;;
  large) staff=100000 shares=5000000 ;;
  *) echo "usage: bench/run.sh small|medium|large" >&2; exit 2 ;;
esac
py="${BENCH_PYTHON:-.venv/bin/python}"   # BENCH_PYTHON: a virtualenv elsewhere (a worktree)
[ -x "$py" ] || { echo "no virtualenv: run 'make venv' first" >&2; exit 1; }

need_apt=()
command -v pg_isready >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi
for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done

var_dir="$PWD/var/bench/$size"
mkdir -p "$var_dir"
exec 9>"$var_dir/lock"
flock -n 9 || { echo "make bench SIZE=$size is already running" >&2; exit 1; }

db="${BENCH_DB:-sharekpi_bench_$size}"   # BENCH_DB: another name, e.g. on a shared server
pg=(-h 127.0.0.1 -p 5432 -U postgres)
redis_db="${BENCH_REDIS_DB:-13}"   # BENCH_REDIS_DB: another database number (a shared Redis)
queue="sharekpi-bench-$size-$$"
runner_pid=""

cleanup() {
  status=$?
  if [ -n "$runner_pid" ] && kill -0 "$runner_pid" 2>/dev/null; then
    kill "$runner_pid" 2>/dev/null || true
    wait "$runner_pid" 2>/dev/null || true
  fi
  # Only our own queues' keys: the database number may be shared by accident.
  for name in "$queue" "$queue-verify"; do
    for key in "$name" "_kombu.binding.$name" "_kombu.binding_permanent.$name"; do
      redis-cli -h 127.0.0.1 -p 6379 -n "$redis_db" del "$key" >/dev/null 2>&1 || true
    done
  done
  if [ "${BENCH_KEEP_DB:-0}" != 1 ]; then
    dropdb "${pg[@]}" --force --if-exists "$db" >/dev/null 2>&1 || true
  else
    echo "kept database $db (BENCH_KEEP_DB=1)"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dropdb "${pg[@]}" --if-exists "$db" >/dev/null 2>&1
createdb "${pg[@]}" "$db"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export CELERY_BROKER_URL="redis://127.0.0.1:6379/$redis_db"
# A cache shared by the gunicorn workers, as in production (README): the API token
# cache (accounts.authentication) is on only with one. Its keys expire by themselves.
export CACHE_URL="redis://127.0.0.1:6379/$redis_db"
export SHAREKPI_TASK_QUEUE="$queue"   # submissions queue here; no worker reads it
export DJANGO_SETTINGS_MODULE=bench.settings
export SECRET_KEY="bench-only-not-secret"
export DJANGO_DEBUG=off
export SHAREKPI_VAR_DIR="$var_dir"
export LOG_LEVEL=ERROR
# Mail (set-password links from the staff import) is built but not sent or printed.
export EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend
export PYTHONUNBUFFERED=1

started=$(date +%s)
echo "== bench $size: $staff staff, $shares shares, database $db"
"$py" manage.py migrate --noinput -v0
gen_start=$(date +%s%N)
"$py" manage.py generate_bench_data --staff "$staff" --shares "$shares" --seed 42 --presence
gen_seconds=$(awk "BEGIN { print ($(date +%s%N) - $gen_start) / 1e9 }")
# BENCH_ONLY=submission,… runs only those parts (bench/run_bench.py --parts) and leaves
# BENCHMARKS.md alone: a partial run must not replace the size's section.
only=()
[ -n "${BENCH_ONLY:-}" ] && only=(--parts "$BENCH_ONLY" --no-write)  # the log only
"$py" -m bench.run_bench --size "$size" --generate-seconds "$gen_seconds" "${only[@]}" "${@:2}" &
runner_pid=$!
wait "$runner_pid"
runner_pid=""
echo "== bench $size done in $(( $(date +%s) - started ))s; see BENCHMARKS.md"
