#!/usr/bin/env bash
# Relais: set up a Debian 12 machine, build, and run the kiosk or the tests.
#
#   packaging/relais-dev.sh run    install what is missing, build, start the kiosk (demo)
#   packaging/relais-dev.sh test   install what is missing, build, run every suite,
#                                  then again with AddressSanitizer + UBSan
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# What building and running the kiosk needs (Debian 12 package names).
run_packages=(
  meson ninja-build gcc pkg-config gettext
  libglib2.0-dev libgtk-4-dev libsqlite3-dev libjson-glib-dev libsodium-dev
  libcurl4-openssl-dev
  libcups2-dev libpoppler-glib-dev
  libsane-dev libsane1 libcairo2-dev libjpeg62-turbo-dev zlib1g-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-nice libnice-dev
  adwaita-icon-theme fonts-dejavu-core dbus dbus-x11 at-spi2-core
  xvfb xauth imagemagick x11-utils
)
# What the test suites need on top.
test_packages=(
  desktop-file-utils appstream
  janus iproute2 util-linux
  chromium firefox-esr libjs-janus-gateway nodejs
  cups cups-client cups-filters printer-driver-cups-pdf ghostscript
  # tests/integration/test-call-link: the TURN server of udp-blocked.
  coturn
  glib-networking ca-certificates
  sane-utils
  # tests/ui/test-kiosk-keys types on the kiosk as a passer-by would.
  xdotool
  # LeakSanitizer matches tests/lsan.supp against function names, which it
  # only knows when llvm-symbolizer turns the stack's addresses into names:
  # without it, nothing matches and every GStreamer test fails at exit.
  llvm
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "All ${#@} Debian packages already installed"
    return
  fi
  log "Installing ${#missing[@]} Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

build() {
  local dir=$1; shift
  log "Building in $dir"
  configure "$dir" "$@"
  ninja -C "$dir"
}

cmd_run() {
  install_missing "${run_packages[@]}"
  build build
  log "Starting the kiosk (demo mode: no server needed; demo PIN 1234)"
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    # No screen (a server, a container): give the kiosk a virtual one.
    local n=99
    while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n - 1)); done
    # xvfb-run writes the X server's key to the file -f names: a second
    # terminal needs the same file to take a screenshot.
    local auth="$here/build/Xauthority"
    rm -f "$auth"
    log "No display: running under Xvfb (1280x800) on display :$n"
    log "To look at it: XAUTHORITY=$auth DISPLAY=:$n import -window root relais.png"
    exec xvfb-run -n "$n" -f "$auth" -s '-screen 0 1280x800x24' \
      dbus-run-session -- build/kiosk/relais-kiosk "$@"
  fi
  if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    exec dbus-run-session -- build/kiosk/relais-kiosk "$@"
  fi
  exec build/kiosk/relais-kiosk "$@"
}

# Prints "N passed, N failed" over the given builds' last test logs. Each
# failed test is named first with the end of its output: CI keeps only the
# end of what a run prints, and a failure in the first build would
# otherwise scroll out of it.
count_results() {
  python3 - "$@" <<'PY'
import json, sys
passed = failed = 0
failures = []
for d in sys.argv[1:]:
    try:
        lines = open(f"{d}/meson-logs/testlog.json").read().splitlines()
    except FileNotFoundError:
        continue
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("result") in ("OK", "EXPECTEDFAIL"):
            passed += 1
        else:
            failed += 1
            failures.append((d, r))
for d, r in failures:
    print(f"--- failed in {d}: {r.get('name')} ({r.get('result')}, "
          f"{r.get('duration', 0):.0f} s)")
    out = (r.get("stdout") or "").splitlines()
    err = (r.get("stderr") or "").splitlines()
    for l in out[-25:] + err[-15:]:
        print("    " + l[:300])
    # A test stopped for its time prints every thread's stack
    # (tests/relais-test-hang.c): the hang is in there. Sixteen frames of
    # each, the library and function only, 400 lines at most.
    starts = [i for i, l in enumerate(err) if l.startswith("=== Stopped")]
    if starts:
        shown = depth = 0
        for l in err[starts[-1]:]:
            if l.startswith("=== end of stacks") or shown >= 400:
                break
            depth = 0 if l.startswith("--- thread") else depth + 1
            if depth <= 16:
                frame = l if l.startswith("=") else l.rsplit("/", 1)[-1].split("[0x")[0]
                print("    | " + frame[:200])
                shown += 1
print(f"{passed} passed, {failed} failed")
PY
}

cmd_test() {
  install_missing "${run_packages[@]}" "${test_packages[@]}" python3
  local status=0
  local start=$SECONDS

  # The advisor suite drives Debian's chromium with playwright-core from npm
  # (pinned by tests/advisor/package-lock.json; it never downloads a browser).
  # npm comes with some nodejs builds, else it is Debian's package.
  log "Installing tests/advisor's npm packages (npm ci)"
  command -v npm >/dev/null || install_missing npm
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/advisor --no-audit --no-fund

  build build
  log "Running every suite (plain build)"
  meson test -C build --print-errorlogs --num-processes 2 || status=1

  build build-asan -Db_sanitize=address,undefined -Db_lundef=false
  log "Running every suite under AddressSanitizer + UndefinedBehaviorSanitizer"
  # Named, not looked up in PATH: a missing symbolizer must fail here, not
  # turn into unmatched leak suppressions in 40 tests.
  local symbolizer
  symbolizer=$(command -v llvm-symbolizer) || { log "llvm-symbolizer is missing (Debian package llvm)"; return 1; }
  ASAN_SYMBOLIZER_PATH=$symbolizer \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 || status=1

  log "Tests took $((SECONDS - start)) s"
  count_results build build-asan
  return $status
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
