#!/bin/sh
# qmk-edge demo tree: report the firmware size against the flash available.
#   size_check.sh hex|bin <file> <max-bytes>
# For Intel hex the size is the sum of the data records (type 00); for a raw binary it is
# the file size.
format=$1
file=$2
max=$3
if [ "$format" = hex ]; then
    size=0
    for len in $(sed -n 's/^:\(..\)....00.*/\1/p' "$file"); do
        size=$((size + 0x$len))
    done
else
    size=$(wc -c < "$file" | tr -d ' ')
fi
printf '%-72s [OK]\n' "Checking file size of $(basename "$file")"
free=$((max - size))
if [ "$free" -lt 0 ]; then
    echo " * The firmware is too large! $size/$max ($((-free)) bytes over)" >&2
    exit 1
fi
echo " * The firmware size is fine - $size/$max ($((size * 100 / max))%, $free bytes free)"
