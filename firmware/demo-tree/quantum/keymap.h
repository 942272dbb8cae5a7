// qmk-edge demo tree: the keymap as seen by the core.
#pragma once

#include <stdint.h>

// Defined by the keymap (keyboards/<kb>/keymaps/<km>/keymap.c). Kept in the ELF under this
// exact name with sizeof == layers * MATRIX_ROWS * MATRIX_COLS * 2; tests read it back.
extern const uint16_t keymaps[][MATRIX_ROWS][MATRIX_COLS];

// Number of layers in keymaps[]; defined next to the keymap in keymap_introspection.c,
// the only translation unit that can see the array's complete type.
uint8_t keymap_layer_count(void);

// keymaps[layer][row][col], or KC_NO when out of range.
uint16_t keymap_key_to_keycode(uint8_t layer, uint8_t row, uint8_t col);

// The keycode for a key under the current layer state (highest active layer whose entry
// is not KC_TRANSPARENT wins).
uint16_t keymap_keycode_at(uint8_t row, uint8_t col);
