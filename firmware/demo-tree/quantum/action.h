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

// Act on a keycode being pressed or released.
void process_keycode(uint16_t keycode, bool pressed);
