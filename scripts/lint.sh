#!/usr/bin/env bash
# make lint: the static analysis of lib/lint.sh on its own, as KTAP.
source "$(dirname "$0")/lib/init.sh"

echo "KTAP version 1"
echo "1..1"
lint_suite 1
summary
