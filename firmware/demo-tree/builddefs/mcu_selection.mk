# qmk-edge demo tree: processor (from keyboard.json) -> toolchain and flags.
# Compilers are called by plain name so a ccache masquerade directory first on PATH is used.
#
# Sets PLATFORM (empty = unsupported), CC, OBJCOPY, MCU_CFLAGS, MCU_LDFLAGS, MCU_LIBS,
# MCU_LDSCRIPT, PLATFORM_SRC, FIRMWARE_FORMAT and MAX_SIZE (bytes of flash the firmware
# may use, i.e. flash minus bootloader where the bootloader lives in the same flash).

PLATFORM :=

# --- AVR (LUFA-class USB AVRs; 16 MHz, 4 KiB bootloader) --------------------------------
ifneq ($(filter $(PROCESSOR),atmega32u4 atmega32u2),)
    PLATFORM := avr
    MCU := $(PROCESSOR)
    MAX_SIZE := 28672
endif

ifeq ($(PLATFORM),avr)
    CC := avr-gcc
    OBJCOPY := avr-objcopy
    MCU_CFLAGS := -mmcu=$(MCU) -DF_CPU=16000000UL
    MCU_LDFLAGS :=
    MCU_LIBS :=
    MCU_LDSCRIPT :=
    PLATFORM_SRC := platforms/avr/platform.c
    FIRMWARE_FORMAT := hex
endif

# --- ARM Cortex-M (STM32; the ROM system bootloader does not use application flash) ------
ifeq ($(PROCESSOR),STM32F072)
    PLATFORM := arm
    ARM_CPU := -mcpu=cortex-m0 -mthumb
    MAX_SIZE := 131072
endif
ifeq ($(PROCESSOR),STM32F303)
    PLATFORM := arm
    ARM_CPU := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
    MAX_SIZE := 262144
endif
ifeq ($(PROCESSOR),STM32F411)
    PLATFORM := arm
    ARM_CPU := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
    MAX_SIZE := 524288
endif

ifeq ($(PLATFORM),arm)
    CC := arm-none-eabi-gcc
    OBJCOPY := arm-none-eabi-objcopy
    MCU_CFLAGS := $(ARM_CPU)
    MCU_LDSCRIPT := platforms/arm/ld/$(PROCESSOR).ld
    # Our own startup code and vector table (platforms/arm/startup.c) instead of crt0;
    # newlib-nano only in case the compiler emits memcpy/memset.
    MCU_LDFLAGS := -nostartfiles --specs=nano.specs -Lplatforms/arm/ld -T $(MCU_LDSCRIPT)
    MCU_LIBS := -lgcc
    PLATFORM_SRC := platforms/arm/startup.c platforms/arm/platform.c
    FIRMWARE_FORMAT := bin
endif
