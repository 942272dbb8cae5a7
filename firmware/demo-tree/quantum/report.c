// qmk-edge demo tree: report bookkeeping.
//
// There is no USB stack: a finished report is copied into usb_endpoint_buffer, a volatile
// buffer standing in for an endpoint FIFO, so the compiler must keep the whole path.
#include "quantum.h"
#include "report.h"

static report_keyboard_t keyboard_report;
static uint16_t          extra_usage;
static uint8_t           dirty;

volatile uint8_t usb_endpoint_buffer[sizeof(report_keyboard_t) + 2];

void report_add_key(uint8_t keycode) {
    uint8_t free_slot = sizeof(keyboard_report.keys);
    for (uint8_t i = 0; i < sizeof(keyboard_report.keys); i++) {
        if (keyboard_report.keys[i] == keycode) {
            return;
        }
        if (keyboard_report.keys[i] == 0 && free_slot == sizeof(keyboard_report.keys)) {
            free_slot = i;
        }
    }
    if (free_slot < sizeof(keyboard_report.keys)) { // 6KRO: a 7th key is dropped
        keyboard_report.keys[free_slot] = keycode;
        dirty = 1;
    }
}

void report_del_key(uint8_t keycode) {
    for (uint8_t i = 0; i < sizeof(keyboard_report.keys); i++) {
        if (keyboard_report.keys[i] == keycode) {
            keyboard_report.keys[i] = 0;
            dirty = 1;
        }
    }
}

void report_add_mods(uint8_t hid_mods) {
    keyboard_report.mods |= hid_mods;
    dirty = 1;
}

void report_del_mods(uint8_t hid_mods) {
    keyboard_report.mods &= (uint8_t)~hid_mods;
    dirty = 1;
}

// QMK keeps consumer-page keys in the basic range; translate the common ones back to their
// HID Consumer usage IDs for the extra report.
static uint16_t consumer_usage(uint8_t keycode) {
    switch (keycode) {
        case KC_AUDIO_MUTE:       return 0x00E2;
        case KC_AUDIO_VOL_UP:     return 0x00E9;
        case KC_AUDIO_VOL_DOWN:   return 0x00EA;
        case KC_MEDIA_NEXT_TRACK: return 0x00B5;
        case KC_MEDIA_PREV_TRACK: return 0x00B6;
        case KC_MEDIA_STOP:       return 0x00B7;
        case KC_MEDIA_PLAY_PAUSE: return 0x00CD;
        case KC_CALCULATOR:       return 0x0192;
        default:                  return keycode; // system and mouse keys: pass through
    }
}

void report_set_extra(uint8_t keycode) {
    extra_usage = keycode ? consumer_usage(keycode) : 0;
    dirty       = 1;
}

void report_flush(void) {
    if (!dirty) {
        return;
    }
    const uint8_t *bytes = (const uint8_t *)&keyboard_report;
    for (uint8_t i = 0; i < sizeof(keyboard_report); i++) {
        usb_endpoint_buffer[i] = bytes[i];
    }
    usb_endpoint_buffer[sizeof(keyboard_report)]     = (uint8_t)(extra_usage & 0xFF);
    usb_endpoint_buffer[sizeof(keyboard_report) + 1] = (uint8_t)(extra_usage >> 8);
    dirty                                            = 0;
}
