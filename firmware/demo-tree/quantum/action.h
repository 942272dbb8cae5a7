// qmk-edge demo tree: what a key press does.
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t layer_state_t;

// Bit n set = layer n active. default_layer_state holds the base layer (DF()/TO()).
extern layer_state_t layer_state;
extern layer_state_t default_layer_state;

void layer_on(uint8_t layer);
void layer_off(uint8_t layer);
void layer_invert(uint8_t layer);
void layer_move(uint8_t layer);

// The tapping term in ms (TAPPING_TERM); the demo has no tapping logic, but keeps the value.
extern uint16_t g_tapping_term;

// Act on a keycode being pressed or released.
void process_keycode(uint16_t keycode, bool pressed);

// A key event as QMK's process_record_* hooks see it (quantum/action.h, keyboard.h).
typedef struct {
    uint8_t col;
    uint8_t row;
} keypos_t;

typedef struct {
    keypos_t key;
    bool     pressed;
    uint16_t time;
} keyevent_t;

typedef struct {
    keyevent_t event;
} keyrecord_t;

// The keymap's hook, called for every key event before the keycode acts; returning false stops
// it (QMK's quantum.c calls it the same way). A weak default that returns true is in action.c,
// so a keymap without it links.
bool process_record_user(uint16_t keycode, keyrecord_t *record);
