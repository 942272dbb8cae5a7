// qmk-edge demo tree: firmware entry point.
#include "quantum.h"
#include "matrix.h"
#include "report.h"
#include "platform.h"

#ifndef QMK_VERSION
#    define QMK_VERSION "unknown"
#endif
#ifndef QMK_KEYBOARD
#    define QMK_KEYBOARD "unknown"
#endif

// Identification strings, readable with `strings` on the firmware image.
const char firmware_id[] PROGMEM = "qmk-edge demo " QMK_VERSION " " QMK_KEYBOARD;
volatile const char *firmware_id_ref;
volatile uint16_t *tapping_term_ref;

// Keycode each key resolved to when it went down, so its release undoes the same action
// even if the layer changed in between.
static uint16_t pressed_keycodes[MATRIX_ROWS][MATRIX_COLS];
static matrix_row_t previous[MATRIX_ROWS];

static void keyboard_task(void) {
    if (matrix_scan()) {
        for (uint8_t row = 0; row < MATRIX_ROWS; row++) {
            matrix_row_t now   = matrix_get_row(row);
            matrix_row_t delta = now ^ previous[row];
            for (uint8_t col = 0; col < MATRIX_COLS; col++) {
                matrix_row_t bit = (matrix_row_t)1 << col;
                if (!(delta & bit)) {
                    continue;
                }
                bool pressed = (now & bit) != 0;
                if (pressed) pressed_keycodes[row][col] = keymap_keycode_at(row, col);
                keyrecord_t record = {.event = {.key = {.col = col, .row = row}, .pressed = pressed}};
                if (process_record_user(pressed_keycodes[row][col], &record)) {
                    process_keycode(pressed_keycodes[row][col], pressed);
                }
            }
            previous[row] = now;
        }
    }
    encoder_task();
    report_flush();
}

int main(void) {
    firmware_id_ref = firmware_id; // keep the id string in the image
    tapping_term_ref = &g_tapping_term;
    platform_init();
    matrix_init();
    for (;;) {
        keyboard_task();
    }
}
