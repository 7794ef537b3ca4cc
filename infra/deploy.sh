#!/bin/sh
# Thin wrapper kept for the seed docs: ./inv deploy ENV [--dry-run] [--allow-data-loss]
[ $# -ge 1 ] || { echo "usage: infra/deploy.sh ENV [options]" >&2; exit 2; }
exec "$(dirname "$0")/../inv" deploy "$@"
