// qmk-edge demo tree: ARM Cortex-M platform layer.
//
// The GPIO "port" is a pair of volatile words in RAM instead of a peripheral at a fixed
// address: the accesses survive optimisation like real register accesses would, without a
// register map per MCU family. Reset uses the architectural SCB->AIRCR, common to all
// Cortex-M cores.
#include "platform.h"

static volatile uint32_t gpio_output; // bit r = row r driven high (idle)
static volatile uint32_t gpio_input;  // bit c = column c high (released)

#define SCB_AIRCR (*(volatile uint32_t *)0xE000ED0CUL)
#define SCB_AIRCR_SYSRESETREQ 0x05FA0004UL

void platform_init(void) {
    gpio_output = 0xFFFFFFFFUL;
    gpio_input  = 0xFFFFFFFFUL;
}

void platform_select_row(uint8_t row) {
    gpio_output &= ~(1UL << (row & 31));
}

void platform_unselect_row(uint8_t row) {
    gpio_output |= 1UL << (row & 31);
}

uint32_t platform_read_cols(void) {
    return ~gpio_input;
}

void platform_jump_to_bootloader(void) {
    // A real build would set a magic word the STM32 system bootloader check reads after reset.
    SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
    for (;;) {
    }
}
