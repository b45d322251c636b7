# kiosk-window-lib.sh: what kiosk-window-call and kiosk-window-drive share,
# sourced by both once they run inside their display and session bus.
# The caller sets "who" (its name, for messages) before sourcing.
#
# SPDX-License-Identifier: GPL-2.0-or-later

readonly app=org.relais.Kiosk
readonly app_path=/org/relais/Kiosk

# window_start KIOSK CONFIG: runs the kiosk window (it never reads our
# standard input) and waits until it owns its name on the session bus;
# sets $pid.
window_start() {
  local up=0

  "$1" --config "$2" </dev/null &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 200); do
    if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
         --method org.freedesktop.DBus.NameHasOwner "$app" 2>/dev/null | grep -q true; then
      up=1
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ "$up" = 1 ] || { echo "$who: the kiosk did not take $app on the session bus" >&2; exit 1; }
}

# window_enabled NAME: whether the kiosk's action NAME is enabled now.
window_enabled() {
  gdbus call --session --dest "$app" --object-path "$app_path" \
    --method org.gtk.Actions.Describe "$1" 2>/dev/null | grep -q '^((true'
}

# window_act NAME [PARAMETER]: activates the action once it is enabled
# (the agent's PIN, say, is checked in a worker thread: on a loaded
# machine the actions it unlocks come seconds later), waiting 10 s at
# the most; then it is sent anyway and the kiosk ignores it. Fails when
# gapplication does (the kiosk is gone from the bus).
window_act() {
  local waited=0

  echo "$who: action $*" >&2
  while ! window_enabled "$1" && [ "$waited" -lt 50 ]; do
    sleep 0.2
    waited=$((waited + 1))
  done
  [ "$waited" = 0 ] || echo "$who: action $1 waited $((waited * 2))00 ms to be enabled" >&2
  if ! gapplication action "$app" "$@"; then
    echo "$who: action $1 refused" >&2
    return 1
  fi
}

# window_wait_quit: after "quit", the kiosk has 20 s to leave, else the
# run fails.
window_wait_quit() {
  for _ in $(seq 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$who: the kiosk did not quit" >&2
    exit 1
  fi
  wait "$pid"
}
