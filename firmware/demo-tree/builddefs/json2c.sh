#!/bin/sh
# qmk-edge demo tree: generate a keymap.c from keymap.json (see json2c.awk).
#   json2c.sh <keymap.json> <out keymap.c> [<keymap.c beside keymap.json, merged in>]
# The output appears whole or not at all, so a failed run never leaves a half file for make.
set -e
mkdir -p "$(dirname "$2")"
if awk -v json="$1" -v merge="${3:-}" -f builddefs/json2c.awk "$1" > "$2.tmp"; then
    mv "$2.tmp" "$2"
else
    rm -f "$2.tmp"
    exit 1
fi
