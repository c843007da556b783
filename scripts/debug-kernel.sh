#!/usr/bin/env bash
# make debug-kernel: build the sanitizer kernel now (or find it built in
# the cache), for a later check (lib/debug-kernel.sh).
source "$(dirname "$0")/lib/init.sh"
ensure_deps
debug_kernel
note "the sanitizer kernel $KVER: $KERNEL_IMAGE"
