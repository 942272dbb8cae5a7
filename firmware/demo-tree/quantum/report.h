// qmk-edge demo tree: a fake USB HID report builder.
#pragma once

#include <stdint.h>

// The 8-byte boot-protocol keyboard report.
typedef struct {
    uint8_t mods;
    uint8_t reserved;
    uint8_t keys[6];
} report_keyboard_t;

void report_add_key(uint8_t keycode);
void report_del_key(uint8_t keycode);
void report_add_mods(uint8_t hid_mods);
void report_del_mods(uint8_t hid_mods);
void report_set_extra(uint8_t keycode);

// Hand the reports to the "USB endpoint" if they changed since the last call.
void report_flush(void);
