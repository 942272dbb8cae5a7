// qmk-edge demo tree: encoder turns to keycodes. The demo platform has no quadrature input, so
// a turn is read as one of the encoder's pins going high; what matters here is that the
// keymap's encoder_map is read (and so kept in the firmware) the way QMK reads it: by layer,
// encoder and direction, a transparent entry falling through to lower layers.
#include "quantum.h"
#include "report.h"
#include "platform.h"

#if defined(ENCODER_ENABLE) && defined(ENCODER_MAP_ENABLE)
static uint16_t encoder_keycode(uint8_t index, uint8_t clockwise) {
    uint8_t layers = encodermap_layer_count();
    for (int8_t layer = (int8_t)(layers - 1); layer >= 0; layer--) {
        if (!(layer_state & ((layer_state_t)1 << layer)) && layer != 0) continue;
        uint16_t keycode = pgm_read_word(&encoder_map[layer][index][clockwise ? 0 : 1]);
        if (keycode != KC_TRANSPARENT) return keycode;
    }
    return KC_NO;
}

void encoder_task(void) {
    uint32_t turns = platform_read_cols() >> 24; // pins of the fake GPIO word past the matrix
    for (uint8_t index = 0; index < NUM_ENCODERS; index++) {
        uint8_t bits = (turns >> (2 * index)) & 3;
        if (bits == 0 || bits == 3) continue;
        uint16_t keycode = encoder_keycode(index, bits == 1);
        process_keycode(keycode, true);
        report_flush();
        process_keycode(keycode, false);
    }
}
#else
void encoder_task(void) {}
#endif
