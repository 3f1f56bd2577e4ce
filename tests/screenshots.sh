#!/usr/bin/env bash
# Screenshots of every view for the README, in docs/screenshots/: the real `digitdesk` on its own
# Xvfb display, logged in as the demo user whose view it is, driven with xdotool as a person
# would (keys only), each window captured with ImageMagick's import, in the light and the dark
# appearance (DIGITDESK_APPEARANCE).
#
#   tests/screenshots.sh [BUILD_DIR [WORKSPACE]]
#
# WORKSPACE defaults to the demo workspace (`digitdesk demo path`), made first with `digitdesk
# demo create` when it is missing, as `make run` does. The views are taken on a backup of it
# with known passwords, so the workspace itself and its users' passwords are never touched.
# Running it again replaces the pictures; Xvfb and the application end with the script.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}
digitdesk="$PWD/$build/app/digitdesk"
data=${DIGITDESK_DATA_DIR:-$HOME/.cache/digitdesk/mnist}
out=docs/screenshots
width=1000 # pixels; the window is drawn at 1200 x 800 and scaled down
password='screenshots passphrase'

fail() {
    echo "tests/screenshots.sh: $*" >&2
    exit 1
}

for tool in Xvfb:xvfb xdotool:xdotool import:imagemagick convert:imagemagick md5sum:coreutils; do
    command -v "${tool%%:*}" >/dev/null ||
        fail "${tool%%:*} is missing: apt-get install ${tool#*:} (installer/deps-debian.sh installs it)"
done
[[ -x $digitdesk ]] || fail "$digitdesk is missing: build it first (make build)"

scratch=$(mktemp -d)
xvfb_pid=
app_pid=
cleanup() {
    [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
    [[ -n $xvfb_pid ]] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

workspace=${2:-$("$digitdesk" demo path)}
if [[ ! -e $workspace/digitdesk.sqlite && ! -e $workspace/digitdesk.database ]]; then
    [[ -e $data/demo-train-images-idx3-ubyte ]] || fail "no demo data in $data: run make data"
    "$digitdesk" demo create "$workspace" --data "$data" >/dev/null
fi
copy=$scratch/workspace
"$digitdesk" workspace backup "$copy" --workspace "$workspace" >/dev/null
# A backup of a workspace with no dataset version yet lacks the empty objects/ and refs/ folders
# of its dataset repository, which libgit2 then does not open (left for workspace backup to fix).
mkdir -p "$copy"/dataset.git/{objects/info,objects/pack,refs/heads,refs/tags}
# Something for the Datasets, Training and Models views to show: the approved digits as a version.
"$digitdesk" dataset commit -m "the demo's approved digits" --workspace "$copy" >/dev/null
for user in annotator reviewer engineer admin qa manager; do
    printf '%s\n' "$password" | "$digitdesk" users passwd "$user" --workspace "$copy" >/dev/null
done

# -displayfd: the server picks a free display and writes its number once it accepts clients.
Xvfb -displayfd 5 -noreset -nolisten tcp -screen 0 1600x1000x24 5>"$scratch/display" \
    2>"$scratch/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do
    [[ -s $scratch/display ]] && break
    kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb did not start: $(cat "$scratch/xvfb.log")"
    sleep 0.1
done
[[ -s $scratch/display ]] || fail "Xvfb named no display in 10 s"
DISPLAY=:$(cat "$scratch/display")
export DISPLAY
export QT_QPA_PLATFORM=xcb XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data
export XDG_RUNTIME_DIR=$scratch
unset DIGITDESK_WORKSPACE
mkdir -p "$scratch/shots"

# The id of the visible window whose title matches, once there is one (20 s at most).
window() {
    local id
    for _ in $(seq 200); do
        id=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | tail -n 1) || true
        [[ -n $id ]] && { echo "$id"; return 0; }
        sleep 0.1
    done
    return 1
}

# Waits until the window looks the same for a second (workers have drawn what they load), at
# most 15 s: a view that redraws every second (Serving) is taken as it is then.
settle() {
    local last='' now
    for _ in $(seq 30); do
        now=$(import -window "$1" rgb:- 2>/dev/null | md5sum)
        [[ $now == "$last" ]] && return 0
        last=$now
        sleep 0.5
    done
}

shoot() { # WINDOW NAME
    settle "$1"
    import -window "$1" png:- | convert - -resize "${width}x>" -colors 256 \
        "PNG8:$scratch/shots/$2.png"
}

start_app() { # APPEARANCE
    DIGITDESK_APPEARANCE=$1 "$digitdesk" --workspace "$copy" >>"$scratch/app.log" 2>&1 &
    app_pid=$!
    login=$(window '^DigitDesk: log in$') || fail "no login window; see the log:
$(tail -n 20 "$scratch/app.log")"
    xdotool mousemove 1599 999 windowfocus --sync "$login"
}

stop_app() {
    xdotool key --clearmodifiers ctrl+q || true
    for _ in $(seq 50); do
        kill -0 "$app_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=
}

# USER APPEARANCE VIEW:KEY...: logs USER in and takes each view, opened with Ctrl+KEY; the
# pseudo-view accept:N accepts the model's answer N times (work for the reviewer), unseen.
take() {
    local user=$1 appearance=$2 main
    shift 2
    start_app "$appearance"
    xdotool type --delay 25 "$user"
    xdotool key Tab
    xdotool type --delay 25 "$password"
    xdotool key Return
    main=$(window '^DigitDesk — ') || fail "$user could not log in; see the log:
$(tail -n 20 "$scratch/app.log")"
    xdotool windowfocus --sync "$main"
    for view in "$@"; do
        if [[ $view == accept:* ]]; then
            for _ in $(seq "${view#*:}"); do
                xdotool key --delay 150 a
            done
            settle "$main"
            continue
        fi
        xdotool key --clearmodifiers "ctrl+${view#*:}"
        shoot "$main" "${view%%:*}-$appearance"
    done
    stop_app
}

appearances=(light dark)
for appearance in "${appearances[@]}"; do
    start_app "$appearance"
    shoot "$login" "login-$appearance"
    stop_app
done
if cmp -s "$scratch/shots/login-light.png" "$scratch/shots/login-dark.png"; then
    echo "tests/screenshots.sh: DIGITDESK_APPEARANCE=dark changes nothing in this build;" \
        "taking the light set only" >&2
    appearances=(light)
    rm "$scratch/shots/login-dark.png"
fi

for appearance in "${appearances[@]}"; do
    take annotator "$appearance" annotate:1 accept:12
    take reviewer "$appearance" review:2 datasets:3
    take engineer "$appearance" training:4 models:5 images:6 serving:7 monitoring:8
    take admin "$appearance" users:9
    take qa "$appearance" validation:1
    take manager "$appearance" overview:1
done

mkdir -p "$out"
mv -f "$scratch"/shots/*.png "$out/"
du -ch "$out"/*.png | tail -n 1
