#!/usr/bin/env bash
# make lint: the static analysis of lint.sh on its own, as KTAP.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/kernels.sh"
source "$ROOT/scripts/lint.sh"

echo "KTAP version 1"
echo "1..1"
lint_suite 1
summary
