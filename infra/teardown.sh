#!/bin/sh
# Thin wrapper kept for the seed docs: ./inv teardown ENV [--include-data] [--allow-prod] [--confirm …]
[ $# -ge 1 ] || { echo "usage: infra/teardown.sh ENV [options]" >&2; exit 2; }
exec "$(dirname "$0")/../inv" teardown "$@"
