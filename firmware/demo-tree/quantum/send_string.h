// qmk-edge demo tree: SEND_STRING, as QMK defines it (quantum/send_string/send_string.h and
// send_string_keycodes.h): a string literal of characters to type, with key actions encoded as
// "\1<code><key>" (SS_TAP, SS_DOWN, SS_UP) and delays as "\1\4<ms>|" (SS_DELAY). On AVR the
// string stays in flash (PSTR) and is read back byte by byte.
#pragma once

#include <stdint.h>
#include "progmem.h"
#include "send_string_keycodes.h"

#define SS_STRINGIZE_(x) #x
#define SS_STRINGIZE(x) SS_STRINGIZE_(x)
#define ADD_SLASH_X(y) SS_STRINGIZE(\x##y)
#define SYMBOL_STR(x) ADD_SLASH_X(x)

#define SS_QMK_PREFIX 1
#define SS_TAP_CODE 1
#define SS_DOWN_CODE 2
#define SS_UP_CODE 3
#define SS_DELAY_CODE 4

#define SS_TAP(keycode) "\1\1" SYMBOL_STR(keycode)
#define SS_DOWN(keycode) "\1\2" SYMBOL_STR(keycode)
#define SS_UP(keycode) "\1\3" SYMBOL_STR(keycode)
#define SS_DELAY(msecs) "\1\4" SS_STRINGIZE(msecs) "|"

// Types a string that lives in flash (PROGMEM on AVR, plain const data on ARM).
void send_string_P(const char *string);

#define SEND_STRING(string) send_string_P(PSTR(string))
