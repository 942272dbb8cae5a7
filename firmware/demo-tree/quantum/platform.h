// qmk-edge demo tree: what the core needs from the MCU (platforms/<arch>/platform.c).
#pragma once

#include <stdint.h>

void platform_init(void);
void platform_select_row(uint8_t row);
void platform_unselect_row(uint8_t row);
// Column inputs of the selected row, bit c = column c pressed (active high).
uint32_t platform_read_cols(void);
void platform_jump_to_bootloader(void) __attribute__((noreturn));
