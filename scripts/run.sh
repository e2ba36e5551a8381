#!/usr/bin/env bash
# Sets up, builds, and runs the default scenario; extra arguments go to `sovrisk run`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
build/sovrisk run configs/russia-2025.yaml -o russia-2025.h5 "$@"
