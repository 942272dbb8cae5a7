# qmk-edge demo tree: which keyboard folder a requested name builds, as QMK resolves it:
#   1. data/mappings/keyboard_aliases.hjson maps old names to new ones; a target may itself be
#      an alias, so the chain is followed (at most 8 hops);
#   2. keyboards/<kb>/rules.mk may name a DEFAULT_FOLDER (e.g. <kb>/rev1), also followed.
# Sets KEYBOARD_FOLDER. Every name is checked with valid_keyboard (names.mk) before it reaches
# a shell command; a bad target yields a name starting with "!" that the caller reports.

ALIASES_FILE := data/mappings/keyboard_aliases.hjson
RESOLVE_HOPS := 1 2 3 4 5 6 7 8

# $(call keyboard_alias,kb): the alias' target, or empty.
keyboard_alias = $(if $(wildcard $(ALIASES_FILE)),$(strip $(shell awk -v kb='$1' -f builddefs/keyboard_alias.awk $(ALIASES_FILE))))

# $(call default_folder,kb): DEFAULT_FOLDER of keyboards/<kb>/rules.mk, or empty.
default_folder = $(if $(wildcard keyboards/$1/rules.mk),$(strip $(shell sed -n 's/^[[:space:]]*DEFAULT_FOLDER[[:space:]]*[:?]\{0,1\}=[[:space:]]*\([^[:space:]#]*\).*/\1/p' keyboards/$1/rules.mk | tail -n 1)))

# $(call follow,lookup,kb,hops): kb after following `lookup` until it gives nothing (or itself).
follow = $(call follow_to,$1,$2,$(filter-out $2,$(call $1,$2)),$3)
follow_to = $(if $3,$(if $(call valid_keyboard,$3),$(if $4,$(call follow,$1,$3,$(wordlist 2,99,$4)),$3),!$3),$2)

KEYBOARD_ALIASED := $(call follow,keyboard_alias,$(KEYBOARD),$(RESOLVE_HOPS))
KEYBOARD_FOLDER := $(if $(filter !%,$(KEYBOARD_ALIASED)),$(KEYBOARD_ALIASED),$(call follow,default_folder,$(KEYBOARD_ALIASED),$(RESOLVE_HOPS)))
