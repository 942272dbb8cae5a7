# qmk-edge demo tree: build one <keyboard>:<keymap>. Run by the top-level Makefile as
#   make -f builddefs/build_keyboard.mk KEYBOARD=handwired/edge_pad KEYMAP=default
# from the tree root.
#
# Outputs (TARGET = keyboard with '/' -> '_', then '_<keymap>'):
#   $(BUILD_DIR)/obj_$(TARGET)/...        objects and dependency files
#   $(BUILD_DIR)/$(TARGET).elf|.map       linked image
#   $(BUILD_DIR)/$(TARGET).hex|.bin       firmware (AVR: Intel hex, ARM: raw binary)
#   ./$(TARGET).hex|.bin                  copy in the tree root, as QMK does

MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.DELETE_ON_ERROR:

BUILD_DIR ?= .build
VERBOSE ?= false
ALLOW_WARNINGS ?= no

include builddefs/names.mk

# -----------------------------------------------------------------------------------------
# Locate the keyboard and keymap. Errors are collected into BUILD_ERROR and reported by the
# build goal itself, so that the message is the last thing printed and make exits non-zero.
# -----------------------------------------------------------------------------------------
# keyboards/a/b/c -> "a/b/c a/b a": a keyboard inherits headers, config.h, info.json and
# keymaps from its parent folders (revisions share the parent's files), deepest first.
parent_dirs = $(if $(findstring /,$1),$1 $(call parent_dirs,$(patsubst %/,%,$(dir $1))),$1)
reverse = $(if $1,$(call reverse,$(wordlist 2,$(words $1),$1)) $(firstword $1))

BUILD_ERROR :=
ifeq ($(call valid_keyboard,$(KEYBOARD)),)
    BUILD_ERROR := invalid keyboard name '$(KEYBOARD)': use [a-z0-9_] segments joined by '/'
else ifeq ($(call valid_keymap,$(KEYMAP)),)
    BUILD_ERROR := invalid keymap name '$(KEYMAP)': use [a-z0-9_]+
else
    # Aliases and DEFAULT_FOLDER: `make handwired/edge_duo:x` builds handwired/edge_duo/rev1.
    include builddefs/resolve_keyboard.mk
    ifneq ($(filter !%,$(KEYBOARD_FOLDER)),)
        BUILD_ERROR := keyboard '$(KEYBOARD)' resolves to the invalid name '$(patsubst !%,%,$(KEYBOARD_FOLDER))' (keyboard_aliases.hjson or DEFAULT_FOLDER)
    else
        override KEYBOARD := $(KEYBOARD_FOLDER)
    endif
endif

KB_DIR := keyboards/$(KEYBOARD)
KB_PARENTS := $(call parent_dirs,$(KEYBOARD))
TARGET := $(subst /,_,$(KEYBOARD))_$(KEYMAP)
OBJDIR := $(BUILD_DIR)/obj_$(TARGET)

# The keymap, found as QMK finds it (builddefs/locate_keymap.mk): MAIN_KEYMAP_PATH_1 ... _5 are
# keyboards/<level>/keymaps/<km>/ for each level of the keyboard path, deepest first, the first match
# winning, keymap.json and keymap.c each looked for on their own. Like QMK's, they can be set on the
# command line: `qmk compile` (and the build agent) point all five at a keymap dir outside the tree.
# A keymap.json is turned into $(OBJDIR)/src/keymap.c by builddefs/json2c.awk; a keymap.c found as
# well is merged into that generated file, as QMK's json2c does with OTHER_KEYMAP_C, so one that
# defines keymaps[] too fails to build ("redefinition of 'keymaps'"): a keymap holds one source of
# keymaps[], not two.
LEVEL_1 := $(KEYBOARD)
LEVEL_2 := $(patsubst %/,%,$(dir $(LEVEL_1)))
LEVEL_3 := $(patsubst %/,%,$(dir $(LEVEL_2)))
LEVEL_4 := $(patsubst %/,%,$(dir $(LEVEL_3)))
LEVEL_5 := $(patsubst %/,%,$(dir $(LEVEL_4)))
MAIN_KEYMAP_PATH_1 := keyboards/$(LEVEL_1)/keymaps/$(KEYMAP)
MAIN_KEYMAP_PATH_2 := keyboards/$(LEVEL_2)/keymaps/$(KEYMAP)
MAIN_KEYMAP_PATH_3 := keyboards/$(LEVEL_3)/keymaps/$(KEYMAP)
MAIN_KEYMAP_PATH_4 := keyboards/$(LEVEL_4)/keymaps/$(KEYMAP)
MAIN_KEYMAP_PATH_5 := keyboards/$(LEVEL_5)/keymaps/$(KEYMAP)
KEYMAP_DIRS := $(MAIN_KEYMAP_PATH_1) $(MAIN_KEYMAP_PATH_2) $(MAIN_KEYMAP_PATH_3) $(MAIN_KEYMAP_PATH_4) $(MAIN_KEYMAP_PATH_5)
KEYMAP_JSON := $(firstword $(wildcard $(addsuffix /keymap.json,$(KEYMAP_DIRS))))
KEYMAP_C_FOUND := $(firstword $(wildcard $(addsuffix /keymap.c,$(KEYMAP_DIRS))))
ifneq ($(KEYMAP_JSON),)
    KM_DIR := $(patsubst %/,%,$(dir $(KEYMAP_JSON)))
    KEYMAP_C := $(OBJDIR)/src/keymap.c
    KEYMAP_MERGE := $(KEYMAP_C_FOUND)
else
    KEYMAP_C := $(KEYMAP_C_FOUND)
    KM_DIR := $(patsubst %/,%,$(dir $(KEYMAP_C)))
endif

ifeq ($(BUILD_ERROR),)
ifeq ($(wildcard $(KB_DIR)/keyboard.json $(KB_DIR)/info.json),)
    BUILD_ERROR := keyboard '$(KEYBOARD)' not found ($(KB_DIR) has no keyboard.json or info.json; see make list-keyboards)
else ifeq ($(KEYMAP_C),)
    BUILD_ERROR := keymap '$(KEYMAP)' not found for keyboard '$(KEYBOARD)' (no keymap.json or keymap.c in $(sort $(KEYMAP_DIRS)))
else ifneq ($(CONVERT_TO),)
    BUILD_ERROR := CONVERT_TO=$(CONVERT_TO): the demo tree has no converters
endif
endif

ifeq ($(BUILD_ERROR),)
# rules.mk files as QMK reads them: the keyboard's folders, shallowest first, then the keymap dir's (where
# `qmk compile` puts what keymap.json's `config` generates, and the build agent writes the same file).
-include $(foreach d,$(call reverse,$(KB_PARENTS)),keyboards/$(d)/rules.mk)
-include $(KM_DIR)/rules.mk

# Features rules.mk turns on become -D<FEATURE>_ENABLE on every compile line, as QMK's
# common_features.mk and generic_features.mk add them (the encoder map only with encoders).
DEMO_FEATURES := ENCODER TRI_LAYER CAPS_WORD MOUSEKEY EXTRAKEY BOOTMAGIC
OPT_DEFS := $(foreach f,$(DEMO_FEATURES),$(if $(filter yes,$(strip $($(f)_ENABLE))),-D$(f)_ENABLE))
ifeq ($(strip $(ENCODER_ENABLE))$(strip $(ENCODER_MAP_ENABLE)),yesyes)
    OPT_DEFS += -DENCODER_MAP_ENABLE
endif

# The header a keymap includes as QMK_KEYBOARD_H: the deepest keyboards/<dir>/<dir-name>.h.
KEYBOARD_H := $(firstword $(foreach d,$(KB_PARENTS),$(wildcard keyboards/$(d)/$(notdir $(d)).h)))
# config.h files, shallowest first so deeper ones (and the keymap's) can override.
CONFIG_H := $(wildcard $(foreach d,$(call reverse,$(KB_PARENTS)),keyboards/$(d)/config.h) $(KM_DIR)/config.h)
# keyboard.json and info.json files along the path, deepest first; the first "processor"
# found picks toolchain and flags (a revision may override its parent's).
INFO_FILES := $(wildcard $(foreach d,$(KB_PARENTS),keyboards/$(d)/keyboard.json keyboards/$(d)/info.json))
PROCESSOR := $(shell sed -n 's/^[[:space:]]*"processor"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' $(INFO_FILES) | head -n 1)
include builddefs/mcu_selection.mk
ifeq ($(KEYBOARD_H),)
    BUILD_ERROR := keyboard '$(KEYBOARD)' has no keyboard header (keyboards/<dir>/<dir-name>.h)
else ifeq ($(PLATFORM),)
    BUILD_ERROR := keyboard '$(KEYBOARD)': unsupported processor '$(PROCESSOR)' in $(INFO_FILES)
endif
endif

.PHONY: build
build:
ifneq ($(BUILD_ERROR),)
	@echo "ERROR: $(BUILD_ERROR)" >&2; exit 1
else

# -----------------------------------------------------------------------------------------
# Sources. Only keymap_introspection.c (which #includes keymap.c) depends on the keymap.
# -----------------------------------------------------------------------------------------
QMK_VERSION := $(strip $(file <VERSION))

SRC := \
    quantum/main.c \
    quantum/matrix.c \
    quantum/action.c \
    quantum/keymap_common.c \
    quantum/report.c \
    quantum/send_string.c \
    quantum/encoder.c \
    quantum/keymap_introspection.c \
    $(PLATFORM_SRC)

OBJ := $(patsubst %.c,$(OBJDIR)/%.o,$(SRC))

# As in QMK, the keymap's name and dir are on every object's command line (QMK's OPT_DEFS and
# VPATH), not only the keymap's: a build that names each keymap differently recompiles everything.
INCLUDES := -I$(KM_DIR) $(addprefix -Ikeyboards/,$(KB_PARENTS)) -Iquantum -Iquantum/keymap_extras -Iplatforms/$(PLATFORM) -I.

DEFS := \
    -DQMK_VERSION='"$(QMK_VERSION)"' \
    -DQMK_KEYBOARD='"$(KEYBOARD)"' \
    -DQMK_KEYBOARD_H='"$(notdir $(KEYBOARD_H))"' \
    -DQMK_KEYMAP='"$(KEYMAP)"' \
    -DKEYMAP_C='"$(KEYMAP_C)"'

WERROR := $(if $(filter yes,$(ALLOW_WARNINGS)),,-Werror)

CFLAGS := $(MCU_CFLAGS) -std=gnu11 -Os -Wall -Wstrict-prototypes $(WERROR) \
    -ffunction-sections -fdata-sections -fno-common \
    $(addprefix -include ,$(CONFIG_H)) $(INCLUDES) $(DEFS) $(OPT_DEFS)

# Like QMK's cflags.txt: the flags of the last build, rewritten only when they change, and a prerequisite of
# every object, so a keymap's rules.mk or config.h appearing, changing or going (a feature on or off, a
# force-included file more or less) recompiles everything, and equal flags recompile nothing.
CFLAGS_FILE := $(OBJDIR)/cflags.txt
ifneq ($(file <$(CFLAGS_FILE)),$(CFLAGS))
    $(shell mkdir -p $(OBJDIR))
    $(file >$(CFLAGS_FILE),$(CFLAGS))
endif

# --gc-sections drops everything unreachable from the entry point; keymaps[] stays because
# keymap_key_to_keycode() reads it (and on ARM the vector table is KEEP()).
LDFLAGS := $(MCU_CFLAGS) -Os -Wl,--gc-sections -Wl,-Map=$(BUILD_DIR)/$(TARGET).map $(MCU_LDFLAGS)

ifeq ($(VERBOSE),true)
    Q :=
else
    Q := @
endif
STEP := $(Q)sh builddefs/step.sh

ELF := $(BUILD_DIR)/$(TARGET).elf
FIRMWARE := $(BUILD_DIR)/$(TARGET).$(FIRMWARE_FORMAT)

build: $(FIRMWARE)
	$(STEP) "Copying $(TARGET).$(FIRMWARE_FORMAT) to the tree root" cp $(FIRMWARE) ./$(TARGET).$(FIRMWARE_FORMAT)
	@sh builddefs/size_check.sh $(FIRMWARE_FORMAT) $(FIRMWARE) $(MAX_SIZE)

# Printed before anything is compiled (parse time), like QMK's banner.
$(info Making $(KEYBOARD) with keymap $(KEYMAP) (QMK demo tree $(QMK_VERSION), $(PROCESSOR)))
$(info )

$(OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(STEP) "Compiling: $<" $(CC) $(CFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

# keymap.json -> keymap.c, in the build dir (the tree is never written to).
$(OBJDIR)/src/keymap.c: $(KEYMAP_JSON) builddefs/json2c.awk
	$(STEP) "Generating: $@" sh builddefs/json2c.sh $(KEYMAP_JSON) $@ $(KEYMAP_MERGE)

# The keymap is compiled through keymap_introspection.c; name it in the progress line.
$(OBJDIR)/quantum/keymap_introspection.o: quantum/keymap_introspection.c $(KEYMAP_C)
	@mkdir -p $(@D)
	$(STEP) "Compiling: $(KEYMAP_C)" $(CC) $(CFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

# Flags come from these files, which the compiler's .d files do not list.
$(OBJ): VERSION $(INFO_FILES) builddefs/build_keyboard.mk builddefs/mcu_selection.mk $(CFLAGS_FILE)

$(ELF): $(OBJ) $(MCU_LDSCRIPT)
	$(STEP) "Linking: $@" $(CC) $(LDFLAGS) -o $@ $(OBJ) $(MCU_LIBS)

$(BUILD_DIR)/$(TARGET).hex: $(ELF)
	$(STEP) "Creating load file for flashing: $@" $(OBJCOPY) -O ihex -R .eeprom -R .fuse -R .lock -R .signature $< $@

$(BUILD_DIR)/$(TARGET).bin: $(ELF)
	$(STEP) "Creating binary load file for flashing: $@" $(OBJCOPY) -O binary $< $@

-include $(OBJ:.o=.d)
endif
