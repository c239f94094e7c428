#!/usr/bin/env bash
# Starts a Docker engine for the container tests when none answers, and stops only the one it started.
#   scripts/ci-machine/dockerd.sh start   # no-op when `docker info` already answers (Docker Desktop, a systemd unit, CI)
#   scripts/ci-machine/dockerd.sh stop    # stops the dockerd whose pid `start` recorded (in this checkout's .tools/),
#                              # also one an earlier `start` recorded; never touches any other engine
# Why a pid file: the CI machine has docker.io installed but no engine running, and CI must stop what it
# started (by pid), while a developer's own engine must be left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."

state_dir=.tools/dockerd
pid_file="$state_dir/dockerd.pid"
log_file="$state_dir/dockerd.log"
start_timeout_seconds=60
stop_timeout_seconds=30

engine_answers() { docker info >/dev/null 2>&1; }

# A recorded pid counts only while it is still a dockerd: pids get reused after a crash or reboot.
recorded_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && echo "$pid"
}

start() {
  if engine_answers; then
    if pid=$(recorded_pid); then
      echo "dockerd.sh: dockerd $pid, started earlier by this script, answers; \`stop\` will stop it"
    else
      echo "dockerd.sh: a Docker engine already answers; not starting another (\`stop\` leaves it alone)"
    fi
    return 0
  fi
  command -v dockerd >/dev/null 2>&1 ||
    { echo "dockerd.sh: dockerd not found on PATH: install it (Debian: apt-get install docker.io)" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] ||
    { echo "dockerd.sh: no engine answers and starting dockerd needs root (or start your own engine)" >&2; exit 1; }
  if pid=$(recorded_pid); then
    echo "dockerd.sh: dockerd $pid (started earlier) is still coming up; waiting for it"
  else
    mkdir -p "$state_dir"
    # setsid: the daemon must not get the terminal's SIGINT meant for the test run that started it.
    setsid dockerd >"$log_file" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pid_file"
    echo "dockerd.sh: started dockerd (pid $pid, log $log_file)"
  fi
  local waited=0
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "dockerd.sh: dockerd exited while starting; last log lines:" >&2
      tail -n 20 "$log_file" >&2 || true
      rm -f "$pid_file"
      exit 1
    fi
    if [ "$waited" -ge "$start_timeout_seconds" ]; then
      echo "dockerd.sh: dockerd did not answer within ${start_timeout_seconds}s; see $log_file" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "dockerd.sh: engine answers ($(docker version --format '{{.Server.Version}}'))"
}

stop() {
  local pid
  if ! pid=$(recorded_pid); then
    rm -f "$pid_file"
    echo "dockerd.sh: no dockerd recorded as started by this script; nothing to stop"
    return 0
  fi
  kill -TERM "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge "$stop_timeout_seconds" ]; then
      echo "dockerd.sh: dockerd $pid ignored SIGTERM for ${stop_timeout_seconds}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$pid_file"
  echo "dockerd.sh: stopped dockerd $pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
