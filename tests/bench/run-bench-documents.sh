#!/usr/bin/env bash
# run-bench-documents.sh [--runs N] [--kiosk PATH] [--dossier PATH] [--json]
#
# Runs tests/bench/bench-documents.mjs inside the test network namespace
# (tests/integration/relais-netns-run): a 4 MiB PDF kiosk → kiosk and
# Chromium → Chromium through one Janus, and a scanned 3-page dossier from
# scan to delivered. Not part of `meson test`. Needs build/kiosk/relais-kiosk
# and build/tests/bench/bench-dossier (or --kiosk, --dossier).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../integration/relais-netns-run" node "$here/bench-documents.mjs" "$@"
