// qmk-edge demo tree: AVR (ATmega32U4 class) platform layer.
//
// Demo wiring, not the pins listed in keyboard.json: rows are driven low on PORTB (row % 8),
// columns are read from PIND (cols 0-7) and PINF (cols 8-15) with pull-ups. The firmware is
// never flashed to hardware; the register accesses exist so the image is a plausible one.
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/power.h>
#include <avr/wdt.h>
#include "platform.h"

void platform_init(void) {
    // A watchdog reset (see platform_jump_to_bootloader) leaves the watchdog running.
    MCUSR &= (uint8_t)~(1 << WDRF);
    wdt_disable();
    clock_prescale_set(clock_div_1);
    DDRD  = 0x00; // column inputs ...
    PORTD = 0xFF; // ... with pull-ups
    DDRF  = 0x00;
    PORTF = 0xFF;
}

void platform_select_row(uint8_t row) {
    uint8_t bit = (uint8_t)(1 << (row & 7));
    DDRB |= bit;               // output ...
    PORTB &= (uint8_t)~bit;    // ... driven low
}

void platform_unselect_row(uint8_t row) {
    uint8_t bit = (uint8_t)(1 << (row & 7));
    DDRB &= (uint8_t)~bit;     // back to input ...
    PORTB |= bit;              // ... with pull-up
}

uint32_t platform_read_cols(void) {
    // A pressed key pulls its column low through the selected row.
    return (uint16_t)~(((uint16_t)PINF << 8) | PIND);
}

void platform_jump_to_bootloader(void) {
    // Caterina and the Atmel DFU bootloader both run after a watchdog reset.
    cli();
    wdt_enable(WDTO_15MS);
    for (;;) {
    }
}
