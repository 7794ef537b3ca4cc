#!/bin/sh
# Thin wrapper kept for the seed docs: ./inv validate [ENV]
exec "$(dirname "$0")/../inv" validate "$@"
