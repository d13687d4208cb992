#!/usr/bin/env bash
# callctl local runtime: NATS (JetStream), Redis and PostgreSQL on 127.0.0.1, installed from
# Debian packages when missing and started when not running. Servers already running on the
# standard ports are reused and never stopped by `down`; only what this script started is.
#
#   infra/local/runtime.sh up      install what is missing, start what is not running (idempotent)
#   infra/local/runtime.sh down    stop what `up` started, nothing else
#   infra/local/runtime.sh status  one line per server
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="${CALLCTL_RUNTIME_DIR:-$ROOT/.runtime}"
STARTED="$RUN/started"
NATS_PORT="${CALLCTL_NATS_PORT:-4222}" REDIS_PORT="${CALLCTL_REDIS_PORT:-6379}" PG_PORT="${CALLCTL_PG_PORT:-5432}"
mkdir -p "$STARTED"

log() { echo "[runtime] $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 100); do port_open "$1" && return 0; sleep 0.1; done; return 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else log "need root for: $*"; return 1; fi; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || { log "apt-get not found: install $* by hand"; return 1; }
  if [ "$APT_UPDATED" = 0 ]; then as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

nats_bin() { command -v nats-server || { [ -x /usr/sbin/nats-server ] && echo /usr/sbin/nats-server; } || true; }

up_nats() {
  if port_open $NATS_PORT; then log "nats: reusing the server on 127.0.0.1:$NATS_PORT"; return; fi
  [ -n "$(nats_bin)" ] || { log "nats: installing nats-server"; apt_install nats-server; }
  mkdir -p "$RUN/nats"
  log "nats: starting with JetStream on 127.0.0.1:$NATS_PORT"
  # a configuration document with a 1,000,000-prefix rate deck is ~16 MB: as k8s/nats.yaml
  echo "max_payload: 33554432" >"$RUN/nats.conf"
  setsid "$(nats_bin)" -c "$RUN/nats.conf" -a 127.0.0.1 -p $NATS_PORT -js -sd "$RUN/nats" -l "$RUN/nats.log" -P "$RUN/nats.pid" </dev/null >/dev/null 2>&1 &
  wait_port $NATS_PORT || { log "nats: did not start (see $RUN/nats.log)"; return 1; }
  echo "pid:$RUN/nats.pid" >"$STARTED/nats"
}

up_redis() {
  if port_open $REDIS_PORT; then log "redis: reusing the server on 127.0.0.1:$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null || { log "redis: installing redis-server"; apt_install redis-server; }
  mkdir -p "$RUN/redis"
  log "redis: starting on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port $REDIS_PORT --save "" --appendonly no \
    --dir "$RUN/redis" --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" >/dev/null
  wait_port $REDIS_PORT || { log "redis: did not start (see $RUN/redis.log)"; return 1; }
  echo "pid:$RUN/redis.pid" >"$STARTED/redis"
}

pg_version() { ls /etc/postgresql 2>/dev/null | sort -n | tail -1; }

up_pg() {
  if ! port_open $PG_PORT; then
    command -v pg_ctlcluster >/dev/null && [ -n "$(ls /usr/lib/postgresql 2>/dev/null)" ] || { log "postgres: installing postgresql"; apt_install postgresql; }
    local v; v="$(pg_version)"
    if [ -z "$v" ] || [ ! -d "/etc/postgresql/$v/main" ]; then
      v="$(ls /usr/lib/postgresql | sort -n | tail -1)"
      log "postgres: creating cluster $v/main (trust on loopback)"
      as_root pg_createcluster "$v" main -p $PG_PORT -- --auth-local=trust --auth-host=trust >&2
    fi
    log "postgres: starting cluster $v/main on 127.0.0.1:$PG_PORT"
    as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start >&2 || as_root pg_ctlcluster "$v" main start >&2
    wait_port $PG_PORT || { log "postgres: did not start"; return 1; }
    echo "pg:$v" >"$STARTED/postgres"
  else
    log "postgres: reusing the server on 127.0.0.1:$PG_PORT"
  fi
  # The callctl database (tests create their own schemas inside it).
  for _ in $(seq 1 50); do psql -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1 && break; sleep 0.2; done
  if ! psql -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -tAc "select 1 from pg_database where datname='callctl'" 2>/dev/null | grep -q 1; then
    psql -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -qc 'create database callctl' >&2 \
      || { log "postgres: cannot create database callctl as user postgres over 127.0.0.1 (is loopback auth 'trust'?)"; return 1; }
  fi
}

down_one() {
  local name=$1 f="$STARTED/$1"
  [ -f "$f" ] || return 0
  local how; how="$(cat "$f")"
  case "$how" in
    pid:*)
      local pf="${how#pid:}" pid
      if [ -f "$pf" ] && pid="$(cat "$pf")" && kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        log "$name: stopped"
      fi ;;
    pg:*) as_root pg_ctlcluster --skip-systemctl-redirect "${how#pg:}" main stop >&2 || as_root pg_ctlcluster "${how#pg:}" main stop >&2; log "$name: stopped" ;;
  esac
  rm -f "$f"
}

status() {
  local rc=0
  for s in nats:$NATS_PORT redis:$REDIS_PORT postgres:$PG_PORT; do
    local n=${s%%:*} p=${s##*:} who="external"
    [ -f "$STARTED/$n" ] && who="started by callctl"
    if port_open "$p"; then echo "$n 127.0.0.1:$p up ($who)"; else echo "$n 127.0.0.1:$p down"; rc=1; fi
  done
  return $rc
}

case "${1:-up}" in
  up) up_nats; up_redis; up_pg; status >&2 ;;
  down) down_one nats; down_one redis; down_one postgres ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
