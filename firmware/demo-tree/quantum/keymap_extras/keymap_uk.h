// qmk-edge demo tree: a language header, as QMK's quantum/keymap_extras/keymap_uk.h. Only a keymap.c
// that includes it gets these names; a Configurator keymap (json2c) never does.
#pragma once

#include "keycodes.h"

#define UK_PND S(KC_3) // £
