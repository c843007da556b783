#!/usr/bin/env bash
# make herd7: build herd7 now (or find it), for a later make prove
# (lib/herd7.sh).
source "$(dirname "$0")/lib/init.sh"
ensure_deps
herd7_setup || exit
note "herd7: ${HERD7[*]}"
