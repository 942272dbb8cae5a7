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
KB_DIR := keyboards/$(KEYBOARD)
KM_DIR := $(KB_DIR)/keymaps/$(KEYMAP)
KEYMAP_C := $(KM_DIR)/keymap.c
TARGET := $(subst /,_,$(KEYBOARD))_$(KEYMAP)
OBJDIR := $(BUILD_DIR)/obj_$(TARGET)

# keyboards/a/b/c -> "a/b/c a/b a": a keyboard inherits headers and config.h from its
# parent folders (revisions share the parent's files), deepest first.
parent_dirs = $(if $(findstring /,$1),$1 $(call parent_dirs,$(patsubst %/,%,$(dir $1))),$1)
KB_PARENTS := $(call parent_dirs,$(KEYBOARD))
reverse = $(if $1,$(call reverse,$(wordlist 2,$(words $1),$1)) $(firstword $1))

BUILD_ERROR :=
ifeq ($(call valid_keyboard,$(KEYBOARD)),)
    BUILD_ERROR := invalid keyboard name '$(KEYBOARD)': use [a-z0-9_] segments joined by '/'
else ifeq ($(call valid_keymap,$(KEYMAP)),)
    BUILD_ERROR := invalid keymap name '$(KEYMAP)': use [a-z0-9_]+
else ifeq ($(wildcard $(KB_DIR)/keyboard.json),)
    BUILD_ERROR := keyboard '$(KEYBOARD)' not found ($(KB_DIR)/keyboard.json does not exist; see make list-keyboards)
else ifeq ($(wildcard $(KEYMAP_C)),)
    ifneq ($(wildcard $(KM_DIR)/keymap.json),)
        BUILD_ERROR := keymap '$(KEYMAP)' of '$(KEYBOARD)' has only keymap.json; this tree builds keymap.c (write it, e.g. with qmk json2c)
    else
        BUILD_ERROR := keymap '$(KEYMAP)' not found for keyboard '$(KEYBOARD)' ($(KEYMAP_C) does not exist)
    endif
endif

ifeq ($(BUILD_ERROR),)
# The header a keymap includes as QMK_KEYBOARD_H: the deepest keyboards/<dir>/<dir-name>.h.
KEYBOARD_H := $(firstword $(foreach d,$(KB_PARENTS),$(wildcard keyboards/$(d)/$(notdir $(d)).h)))
# config.h files, shallowest first so deeper ones (and the keymap's) can override.
CONFIG_H := $(wildcard $(foreach d,$(call reverse,$(KB_PARENTS)),keyboards/$(d)/config.h) $(KM_DIR)/config.h)
# The processor named in keyboard.json picks toolchain and flags.
PROCESSOR := $(shell sed -n 's/^[[:space:]]*"processor"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' $(KB_DIR)/keyboard.json | head -n 1)
include builddefs/mcu_selection.mk
ifeq ($(KEYBOARD_H),)
    BUILD_ERROR := keyboard '$(KEYBOARD)' has no keyboard header (keyboards/<dir>/<dir-name>.h)
else ifeq ($(PLATFORM),)
    BUILD_ERROR := keyboard '$(KEYBOARD)': unsupported processor '$(PROCESSOR)' in keyboard.json
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
    quantum/keymap_introspection.c \
    $(PLATFORM_SRC)

OBJ := $(patsubst %.c,$(OBJDIR)/%.o,$(SRC))

# The keymap directory is added for the keymap's object only: every other object's command
# line then depends on the keyboard alone, so ccache can reuse it for any keymap.
INCLUDES := $(addprefix -Ikeyboards/,$(KB_PARENTS)) -Iquantum -Iplatforms/$(PLATFORM) -I.

DEFS := \
    -DQMK_VERSION='"$(QMK_VERSION)"' \
    -DQMK_KEYBOARD='"$(KEYBOARD)"' \
    -DQMK_KEYBOARD_H='"$(notdir $(KEYBOARD_H))"'

WERROR := $(if $(filter yes,$(ALLOW_WARNINGS)),,-Werror)

CFLAGS := $(MCU_CFLAGS) -std=gnu11 -Os -Wall -Wstrict-prototypes $(WERROR) \
    -ffunction-sections -fdata-sections -fno-common \
    $(addprefix -include ,$(CONFIG_H)) $(INCLUDES) $(DEFS)

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

# The keymap is compiled through keymap_introspection.c; name it in the progress line.
$(OBJDIR)/quantum/keymap_introspection.o: quantum/keymap_introspection.c $(KEYMAP_C)
	@mkdir -p $(@D)
	$(STEP) "Compiling: $(KEYMAP_C)" $(CC) -I$(KM_DIR) $(CFLAGS) -DKEYMAP_C='"$(KEYMAP_C)"' \
		-DQMK_KEYMAP='"$(KEYMAP)"' -MMD -MP -MF $(@:.o=.d) -c $< -o $@

# Flags come from these files, which the compiler's .d files do not list.
$(OBJ): VERSION $(KB_DIR)/keyboard.json builddefs/build_keyboard.mk builddefs/mcu_selection.mk

$(ELF): $(OBJ) $(MCU_LDSCRIPT)
	$(STEP) "Linking: $@" $(CC) $(LDFLAGS) -o $@ $(OBJ) $(MCU_LIBS)

$(BUILD_DIR)/$(TARGET).hex: $(ELF)
	$(STEP) "Creating load file for flashing: $@" $(OBJCOPY) -O ihex -R .eeprom -R .fuse -R .lock -R .signature $< $@

$(BUILD_DIR)/$(TARGET).bin: $(ELF)
	$(STEP) "Creating binary load file for flashing: $@" $(OBJCOPY) -O binary $< $@

-include $(OBJ:.o=.d)
endif
