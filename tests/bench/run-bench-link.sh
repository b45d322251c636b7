#!/usr/bin/env bash
# run-bench-link.sh [--duration SECONDS] [--rounds N] [--profiles LIST]
#
# The kiosk's --test-call and headless Chromium in the booth's seat behind
# the emulated link (tests/integration/README-link.md), alternately, against
# the same advisor: tests/bench/bench-link.mjs runs in the center
# namespace of relais-link-run. Not part of `meson test`. Needs a build in
# build/ (relais-kiosk, relais-link) and tests/advisor's npm packages
# (packaging/relais-dev.sh test installs them).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export RELAIS_LINK=${RELAIS_LINK:-$root/build/tests/integration/relais-link}
export RELAIS_KIOSK=${RELAIS_KIOSK:-$root/build/kiosk/relais-kiosk}
exec bash "$here/../integration/relais-link-run" clean -- node "$here/bench-link.mjs" "$@"
