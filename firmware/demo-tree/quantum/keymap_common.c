// qmk-edge demo tree: keycode lookup.
#include "quantum.h"

uint16_t keymap_key_to_keycode(uint8_t layer, uint8_t row, uint8_t col) {
    if (layer >= keymap_layer_count() || row >= MATRIX_ROWS || col >= MATRIX_COLS) {
        return KC_NO;
    }
    // This read is what keeps keymaps[] alive under --gc-sections.
    return pgm_read_word(&keymaps[layer][row][col]);
}

uint16_t keymap_keycode_at(uint8_t row, uint8_t col) {
    layer_state_t active = layer_state | default_layer_state;
    for (int8_t layer = 31; layer >= 0; layer--) {
        if (!(active & ((layer_state_t)1 << layer))) {
            continue;
        }
        uint16_t keycode = keymap_key_to_keycode((uint8_t)layer, row, col);
        if (keycode != KC_TRANSPARENT) {
            return keycode;
        }
    }
    return KC_NO;
}
