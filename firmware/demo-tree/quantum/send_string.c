// qmk-edge demo tree: types SEND_STRING's strings through the same key actions a key press
// takes (process_keycode), one report per key event. Printable ASCII maps to the US layout
// (shifted symbols with Left Shift); tab, newline and backspace to their keys; "\a" (a beep)
// and delays do nothing here, since the demo firmware has no speaker and no timer.
#include "quantum.h"
#include "report.h"

// US layout: the basic keycode for each printable character, and whether it needs Shift.
static const char shifted[] PROGMEM = "~!@#$%^&*()_+{}|:\"<>?";
static const char unshifted[] PROGMEM = "`1234567890-=[]\\;',./";

static uint8_t symbol_keycode(char c) {
    switch (c) {
        case '`': return KC_GRAVE;
        case '-': return KC_MINUS;
        case '=': return KC_EQUAL;
        case '[': return KC_LEFT_BRACKET;
        case ']': return KC_RIGHT_BRACKET;
        case '\\': return KC_BACKSLASH;
        case ';': return KC_SEMICOLON;
        case '\'': return KC_QUOTE;
        case ',': return KC_COMMA;
        case '.': return KC_DOT;
        case '/': return KC_SLASH;
        case '0': return KC_0;
        default: return (c >= '1' && c <= '9') ? (uint8_t)(KC_1 + (c - '1')) : KC_NO;
    }
}

static void tap(uint8_t keycode, bool shift) {
    if (keycode == KC_NO) return;
    if (shift) process_keycode(KC_LEFT_SHIFT, true);
    process_keycode(keycode, true);
    report_flush();
    process_keycode(keycode, false);
    if (shift) process_keycode(KC_LEFT_SHIFT, false);
    report_flush();
}

static void send_char(char c) {
    if (c >= 'a' && c <= 'z') {
        tap((uint8_t)(KC_A + (c - 'a')), false);
    } else if (c >= 'A' && c <= 'Z') {
        tap((uint8_t)(KC_A + (c - 'A')), true);
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\b') {
        tap(c == ' ' ? KC_SPACE : c == '\n' ? KC_ENTER : c == '\t' ? KC_TAB : KC_BACKSPACE, false);
    } else {
        for (uint8_t i = 0; i < sizeof(shifted) - 1; i++) {
            if ((char)pgm_read_byte(&shifted[i]) == c) {
                tap(symbol_keycode((char)pgm_read_byte(&unshifted[i])), true);
                return;
            }
        }
        tap(symbol_keycode(c), false);
    }
}

void send_string_P(const char *string) {
    for (;;) {
        char c = (char)pgm_read_byte(string++);
        if (c == 0) return;
        if (c != SS_QMK_PREFIX) {
            send_char(c);
            continue;
        }
        char code = (char)pgm_read_byte(string++);
        if (code == SS_DELAY_CODE) {
            while ((c = (char)pgm_read_byte(string)) != 0 && c != '|') string++;
            if (c == '|') string++;
            continue;
        }
        uint8_t keycode = (uint8_t)pgm_read_byte(string++);
        if (keycode == 0) return;
        if (code == SS_TAP_CODE) {
            tap(keycode, false);
        } else if (code == SS_DOWN_CODE || code == SS_UP_CODE) {
            process_keycode(keycode, code == SS_DOWN_CODE);
            report_flush();
        }
    }
}
