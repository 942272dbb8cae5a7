// qmk-edge demo tree: flash-resident constant data.
//
// On AVR, flash and RAM are separate address spaces: keymaps[] is placed in flash with
// PROGMEM and must be read back with pgm_read_word(). On ARM, const data already lives in
// flash and is read with a normal load, so PROGMEM is empty.
#pragma once

#if defined(__AVR__)
#    include <avr/pgmspace.h>
#else
#    define PROGMEM
#    define PSTR(s) (s)
#    define pgm_read_byte(p) (*(const uint8_t *)(p))
#    define pgm_read_word(p) (*(const uint16_t *)(p))
#endif
