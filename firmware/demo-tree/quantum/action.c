// qmk-edge demo tree: keycode actions.
//
// A deliberately small subset of QMK's behaviour: there is no tapping logic, so dual-role
// keys (MT, LT, TT) act as their "hold" half. Enough to exercise every keycode range the
// keymap can hold without pulling in timers or USB.
#include "quantum.h"
#include "report.h"
#include "platform.h"

// QMK's default tapping term; a keyboard's or keymap's config.h (force-included first) may set its own.
// Kept in RAM under QMK's name (quantum/action_tapping.c), so tests read back which value a build took.
#ifndef TAPPING_TERM
#    define TAPPING_TERM 200
#endif
uint16_t g_tapping_term = TAPPING_TERM;

__attribute__((weak)) bool process_record_user(uint16_t keycode, keyrecord_t *record) {
    (void)keycode;
    (void)record;
    return true;
}

layer_state_t layer_state         = 0;
layer_state_t default_layer_state = 1; // layer 0

void layer_on(uint8_t layer) {
    layer_state |= (layer_state_t)1 << (layer & 0x1F);
}

void layer_off(uint8_t layer) {
    layer_state &= ~((layer_state_t)1 << (layer & 0x1F));
}

void layer_invert(uint8_t layer) {
    layer_state ^= (layer_state_t)1 << (layer & 0x1F);
}

void layer_move(uint8_t layer) {
    layer_state = (layer_state_t)1 << (layer & 0x1F);
}

// 5-bit mods (bit4 = right hand) to the 8-bit HID modifier byte.
static uint8_t mods5_to_hid(uint8_t mods5) {
    uint8_t nibble = mods5 & 0x0F;
    return (mods5 & 0x10) ? (uint8_t)(nibble << 4) : nibble;
}

static void basic_key(uint8_t keycode, bool pressed) {
    if (keycode == KC_NO || keycode == KC_TRANSPARENT) {
        return;
    }
    if (IS_MODIFIER_KEYCODE(keycode)) {
        uint8_t bit = (uint8_t)(1 << (keycode - KC_LEFT_CTRL));
        pressed ? report_add_mods(bit) : report_del_mods(bit);
    } else if (keycode <= KC_EXSEL) {
        pressed ? report_add_key(keycode) : report_del_key(keycode);
    } else {
        // System, consumer and mouse keys go out on the extra-key report.
        report_set_extra(pressed ? keycode : 0);
    }
}

static void mods(uint8_t mods5, bool pressed) {
    uint8_t hid = mods5_to_hid(mods5);
    pressed ? report_add_mods(hid) : report_del_mods(hid);
}

void process_keycode(uint16_t keycode, bool pressed) {
    if (IS_QK_BASIC(keycode)) {
        basic_key((uint8_t)keycode, pressed);
    } else if (IS_QK_MODS(keycode)) {
        mods((keycode >> 8) & 0x1F, pressed);
        basic_key(keycode & 0xFF, pressed);
    } else if (IS_QK_MOD_TAP(keycode)) {
        mods((keycode >> 8) & 0x1F, pressed);
    } else if (IS_QK_LAYER_TAP(keycode)) {
        pressed ? layer_on((keycode >> 8) & 0x0F) : layer_off((keycode >> 8) & 0x0F);
    } else if (IS_QK_LAYER_MOD(keycode)) {
        pressed ? layer_on((keycode >> 5) & 0x0F) : layer_off((keycode >> 5) & 0x0F);
        mods(keycode & 0x1F, pressed);
    } else if (IS_QK_MOMENTARY(keycode) || IS_QK_LAYER_TAP_TOGGLE(keycode)) {
        pressed ? layer_on(keycode & 0x1F) : layer_off(keycode & 0x1F);
    } else if (IS_QK_ONE_SHOT_MOD(keycode)) {
        mods(keycode & 0x1F, pressed);
    } else if (!pressed) {
        return; // everything below acts on press only
    } else if (IS_QK_TOGGLE_LAYER(keycode)) {
        layer_invert(keycode & 0x1F);
    } else if (IS_QK_TO(keycode)) {
        layer_move(keycode & 0x1F);
    } else if (IS_QK_DEF_LAYER(keycode)) {
        default_layer_state = (layer_state_t)1 << (keycode & 0x1F);
    } else if (keycode == QK_BOOTLOADER) {
        platform_jump_to_bootloader();
    }
}
