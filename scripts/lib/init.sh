# The one file that every entry point of scripts/ sources: the paths, and
# every library of scripts/lib/, which only define functions and settings.
# shellcheck shell=bash
# The scripts that source this use its variables:
# shellcheck disable=SC2034
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Per-kernel builds, initramfs images and logs; never committed.
BUILD_ROOT=${BUILD_ROOT:-$ROOT/build}
# Slow, reusable downloads and builds live outside the repo.
CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/lesson4-c}

# KTAP results; packages and cache locks; the Debian kernels and their
# chroots; builds; the VM; the guest suite's boot; then what single
# targets use.
# shellcheck source=scripts/lib/ktap.sh
source "$ROOT/scripts/lib/ktap.sh"
# shellcheck source=scripts/lib/packages.sh
source "$ROOT/scripts/lib/packages.sh"
# shellcheck source=scripts/lib/kernels.sh
source "$ROOT/scripts/lib/kernels.sh"
# shellcheck source=scripts/lib/kbuild.sh
source "$ROOT/scripts/lib/kbuild.sh"
# shellcheck source=scripts/lib/vm.sh
source "$ROOT/scripts/lib/vm.sh"
# shellcheck source=scripts/lib/suite.sh
source "$ROOT/scripts/lib/suite.sh"
# shellcheck source=scripts/lib/debug-kernel.sh
source "$ROOT/scripts/lib/debug-kernel.sh"
# shellcheck source=scripts/lib/herd7.sh
source "$ROOT/scripts/lib/herd7.sh"
# shellcheck source=scripts/lib/litmus.sh
source "$ROOT/scripts/lib/litmus.sh"
# shellcheck source=scripts/lib/lint.sh
source "$ROOT/scripts/lib/lint.sh"
# shellcheck source=scripts/lib/gdb-session.sh
source "$ROOT/scripts/lib/gdb-session.sh"
