#!/bin/sh
# qmk-edge demo tree: run one build step and print a QMK-style status line.
#   step.sh "<label>" <command> [args...]
# The line is printed in one piece after the command finishes, so parallel jobs (make -j)
# do not interleave half lines. The command's own output (compiler diagnostics) follows on
# stderr. The exit status is the command's.
label=$1
shift
log=$("$@" 2>&1)
rc=$?
if [ "$rc" -ne 0 ]; then
    printf '%-72s [ERRORS]\n' "$label"
    printf '%s\n' "$log" >&2
    exit "$rc"
elif [ -n "$log" ]; then
    printf '%-72s [WARNINGS]\n' "$label"
    printf '%s\n' "$log" >&2
else
    printf '%-72s [OK]\n' "$label"
fi
