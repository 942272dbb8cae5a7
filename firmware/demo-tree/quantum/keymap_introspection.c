// qmk-edge demo tree: compiles the keymap.
//
// keymap.c is #included here (KEYMAP_C is its path, set by the build) instead of being
// compiled on its own, because only a translation unit that contains the definition of
// keymaps[] can take sizeof() of it and so know how many layers the keymap has. This is
// the only object of a build that depends on the keymap; every other object depends on the
// keyboard alone, which keeps them cacheable across keymaps.
#include KEYMAP_C

#define KEYMAP_LAYERS (sizeof(keymaps) / sizeof(keymaps[0]))

// MO()/TG()/... can address 32 layers and the layer state is a 32-bit mask.
_Static_assert(KEYMAP_LAYERS >= 1 && KEYMAP_LAYERS <= 32, "a keymap needs 1 to 32 layers");

uint8_t keymap_layer_count(void) {
    return (uint8_t)KEYMAP_LAYERS;
}

#if defined(ENCODER_ENABLE) && defined(ENCODER_MAP_ENABLE)
#    define ENCODERMAP_LAYERS (sizeof(encoder_map) / sizeof(encoder_map[0]))
// As QMK's keymap_introspection.c: one encoder map layer per keymap layer.
_Static_assert(ENCODERMAP_LAYERS == KEYMAP_LAYERS, "Number of encoder_map layers doesn't match the number of keymap layers");

uint8_t encodermap_layer_count(void) {
    return (uint8_t)ENCODERMAP_LAYERS;
}
#endif
