// qmk-edge demo tree: Cortex-M startup (the build links with -nostartfiles).
//
// The vector table's first two words are the initial stack pointer and the reset handler;
// the core loads both from the start of flash. The reset handler sets up .data and .bss
// (symbols from the linker script) and calls main().
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int             main(void);

void Reset_Handler(void) __attribute__((noreturn));
void Reset_Handler(void) {
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0;
    }
    main();
    for (;;) {
    }
}

static void Default_Handler(void) {
    for (;;) {
    }
}

typedef void (*vector_t)(void);

// The 16 architectural exception vectors; no peripheral interrupt is enabled.
__attribute__((section(".isr_vector"), used)) const vector_t vector_table[16] = {
    (vector_t)&_estack, // initial stack pointer
    Reset_Handler,      // reset
    Default_Handler,    // NMI
    Default_Handler,    // HardFault
    Default_Handler,    // MemManage (M3/M4)
    Default_Handler,    // BusFault (M3/M4)
    Default_Handler,    // UsageFault (M3/M4)
    0, 0, 0, 0,         // reserved
    Default_Handler,    // SVCall
    Default_Handler,    // DebugMonitor (M3/M4)
    0,                  // reserved
    Default_Handler,    // PendSV
    Default_Handler,    // SysTick
};
