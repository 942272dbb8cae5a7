# qmk-edge demo tree: keyboard/keymap name rules, in pure make (no shell), so that a bad
# name is rejected before it gets anywhere near a command line.
#
# A keyboard is one or more [a-z0-9_]+ segments joined by '/'; a keymap is one segment.

name_chars := a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 _

# $(call strip_chars,text,chars): text with every listed character removed.
strip_chars = $(if $2,$(call strip_chars,$(subst $(firstword $2),,$1),$(wordlist 2,$(words $2),$2)),$1)

# $(call valid_keymap,name) / $(call valid_keyboard,name): non-empty when valid.
valid_keymap = $(if $(strip $1),$(if $(call strip_chars,$1,$(name_chars)),,ok))
valid_keyboard = $(if $(strip $1),$(if $(or $(findstring //,$1),$(filter /% %/,$1),$(call strip_chars,$1,$(name_chars) /)),,ok))
