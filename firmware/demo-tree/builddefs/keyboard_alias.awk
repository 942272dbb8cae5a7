# qmk-edge demo tree: the target of one keyboard alias in data/mappings/keyboard_aliases.hjson.
#
#   awk -v kb=<keyboard> -f builddefs/keyboard_alias.awk data/mappings/keyboard_aliases.hjson
#
# Prints the alias' "target" (without a trailing "/"), or nothing when `kb` is no alias. The
# file is hjson, as in QMK: comments (// and /* */) and trailing commas are allowed, so it is
# read as text: strip the comments, then find "<kb>": { "target": "<new name>" }.
{ text = text $0 "\n" }

END {
    # Block comments, then line comments (keyboard names never hold "//").
    while ((start = index(text, "/*")) > 0) {
        rest = substr(text, start + 2)
        stop = index(rest, "*/")
        text = substr(text, 1, start - 1) (stop > 0 ? substr(rest, stop + 2) : "")
    }
    gsub(/\/\/[^\n]*/, "", text)
    ws = "[ \t\r\n]*"
    re = "\"" kb "\"" ws ":" ws "[{]" ws "\"?target\"?" ws ":" ws "\"[^\"]*\""
    if (!match(text, re)) exit 0
    entry = substr(text, RSTART, RLENGTH)
    sub(/"$/, "", entry)
    sub(/.*"/, "", entry)
    sub(/\/$/, "", entry)
    print entry
}
