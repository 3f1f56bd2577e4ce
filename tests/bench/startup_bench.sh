#!/usr/bin/env bash
# Start-up time of the commands that need no model, and of the login window: what a person waits
# for before DigitDesk answers. perf stat's mean of RUNS runs (task-clock and elapsed) for
# `--help`, `--version` and `users list`; then the login window on a private X server (Xvfb),
# from spawning the process to the window being mapped, mean of RUNS.
#
#   startup_bench.sh BUILD_DIR [WORKSPACE] [RUNS]     (no WORKSPACE: a new empty one)
set -euo pipefail
build=$1
workspace=${2:-}
runs=${3:-10}
digitdesk="$build/app/digitdesk"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
if [[ -z "$workspace" ]]; then
  workspace="$home/workspace"
  "$digitdesk" workspace init "$workspace" >/dev/null
  # The password is read from stdin; a workspace with a user opens on the login window.
  echo "startup bench password" |
    "$digitdesk" users add ada --role admin --workspace "$workspace" >/dev/null
fi

measure() {
  local name=$1
  shift
  perf stat -r "$runs" -x, -e task-clock "$digitdesk" "$@" 2>&1 >/dev/null \
    | awk -F, -v name="$name" '/task-clock/ {printf "%-12s %7.1f ms task-clock\n", name, $1}'
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < runs; ++i)); do "$digitdesk" "$@" >/dev/null; done
  end=$(date +%s%N)
  awk -v name="$name" -v ns=$((end - start)) -v n="$runs" \
    'BEGIN {printf "%-12s %7.1f ms elapsed (mean of %d)\n", name, ns / n / 1e6, n}'
}

echo "== digitdesk without a model, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
measure --help --help
measure --version --version
measure "users list" users list --workspace "$workspace"
echo "libraries linked: $(ldd "$digitdesk" | wc -l)" \
  "(LibTorch or OpenCV: $(ldd "$digitdesk" | grep -c -E 'torch|opencv' || true))"

for tool in Xvfb xdotool; do
  if ! command -v "$tool" >/dev/null; then
    echo "login window: skipped, $tool is not installed"
    exit 0
  fi
done
display_file="$home/display"
Xvfb -displayfd 1 -screen 0 1280x1000x24 -nolisten tcp >"$display_file" 2>/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$home"' EXIT
for ((i = 0; i < 200; ++i)); do
  [[ -s "$display_file" ]] && break
  sleep 0.05
done
export DISPLAY=":$(head -n1 "$display_file")" QT_QPA_PLATFORM=xcb XDG_CONFIG_HOME="$home/config" \
  XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home"
for ((i = 0; i < 200; ++i)); do
  xdotool getmouselocation >/dev/null 2>&1 && break
  sleep 0.05
done

# xdotool's own --sync polls twice a second, too coarse for this: poll every 5 ms instead.
total=0
for ((i = 0; i < runs; ++i)); do
  start=$(date +%s%N)
  "$digitdesk" --workspace "$workspace" >"$home/output" 2>&1 &
  app=$!
  until xdotool search --onlyvisible --name '^DigitDesk: log in$' >/dev/null 2>&1; do
    if ! kill -0 "$app" 2>/dev/null; then
      echo "login window: digitdesk exited before showing it:" >&2
      cat "$home/output" >&2
      exit 1
    fi
    sleep 0.005
  done
  end=$(date +%s%N)
  kill "$app"
  wait "$app" 2>/dev/null || true
  total=$((total + end - start))
done
awk -v ns="$total" -v n="$runs" \
  'BEGIN {printf "%-12s %7.1f ms from start to mapped (mean of %d)\n", "login window", ns / n / 1e6, n}'
