// qmk-edge demo tree: rotary encoders and the keymap's encoder map (QMK's quantum/encoder.h).
//
// A keyboard with encoders names their pins in config.h (ENCODER_A_PINS, ENCODER_B_PINS, as
// QMK's generate-config-h writes them from keyboard.json "encoder") and enables the feature in
// rules.mk (ENCODER_ENABLE = yes). A keymap maps each encoder's turns to keycodes per layer with
// encoder_map[][NUM_ENCODERS][NUM_DIRECTIONS] when ENCODER_MAP_ENABLE is on too, which a
// keymap.json's `config.features.encoder_map` turns on through the keymap's rules.mk.
#pragma once

#include <stdint.h>

#define NUM_DIRECTIONS 2
#define ENCODER_CCW_CW(ccw, cw) \
    { (cw), (ccw) }

#if defined(ENCODER_ENABLE)
#    if !defined(ENCODER_A_PINS)
#        error "ENCODER_ENABLE needs ENCODER_A_PINS in the keyboard's config.h"
#    endif
#    define NUM_ENCODERS (sizeof((uint8_t[])ENCODER_A_PINS) / sizeof(uint8_t))
#endif

#if defined(ENCODER_ENABLE) && defined(ENCODER_MAP_ENABLE)
// Defined by the keymap; kept in the ELF under this name (tests read it back).
extern const uint16_t encoder_map[][NUM_ENCODERS][NUM_DIRECTIONS];
uint8_t encodermap_layer_count(void);
#endif

// Reads the encoders and acts on their turns; nothing without ENCODER_ENABLE.
void encoder_task(void);
