#!/usr/bin/env bash
# run-bench.sh [--duration SECONDS] [--kiosk PATH] [--json]
#
# Runs tests/bench/bench-call.mjs inside the test network namespace
# (tests/integration/relais-netns-run): kiosk --test-call vs the kiosk
# window vs headless Chromium, each in a call with a Chromium advisor.
# Not part of `meson test`. The kiosk defaults to build/kiosk/relais-kiosk;
# pass --kiosk (or RELAIS_KIOSK) for another build directory.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../integration/relais-netns-run" node "$here/bench-call.mjs" "$@"
