// qmk-edge demo tree: function-like keycodes (MO(), LT(), MT(), LCTL(), ...) with QMK's
// encodings, the 5-bit modifier constants they take; the US-ANSI shifted aliases come from keymap_us.h.
//
// All macros fully parenthesise their arguments so that expressions such as
// MT(MOD_LCTL | MOD_LSFT, KC_A) or LT(1, KC_SPC) evaluate to the same 16-bit value as in QMK.
#pragma once

#include "keycodes.h"

// ---------------------------------------------------------------------------------------
// 5-bit packed modifiers, used by MT(), LM(), OSM(): bit0 Ctrl, bit1 Shift, bit2 Alt,
// bit3 GUI, bit4 = "right-hand" flag (applies to all mods set in bits 0-3).
// ---------------------------------------------------------------------------------------
enum qk_mods_5bit {
    MOD_LCTL = 0x01,
    MOD_LSFT = 0x02,
    MOD_LALT = 0x04,
    MOD_LGUI = 0x08,
    MOD_RCTL = 0x11,
    MOD_RSFT = 0x12,
    MOD_RALT = 0x14,
    MOD_RGUI = 0x18,
};
#define MOD_HYPR (MOD_LCTL | MOD_LSFT | MOD_LALT | MOD_LGUI) // 0x0F
#define MOD_MEH (MOD_LCTL | MOD_LSFT | MOD_LALT)             // 0x07

// Modifier bits inside the QK_MODS range (the same 5-bit value shifted left by 8).
#define QK_LCTL 0x0100
#define QK_LSFT 0x0200
#define QK_LALT 0x0400
#define QK_LGUI 0x0800
#define QK_RMODS_MIN 0x1000
#define QK_RCTL 0x1100
#define QK_RSFT 0x1200
#define QK_RALT 0x1400
#define QK_RGUI 0x1800

// ---------------------------------------------------------------------------------------
// Basic keycode + modifiers held while it is sent.
// ---------------------------------------------------------------------------------------
#define LCTL(kc) (QK_LCTL | (kc))
#define LSFT(kc) (QK_LSFT | (kc))
#define LALT(kc) (QK_LALT | (kc))
#define LGUI(kc) (QK_LGUI | (kc))
#define LOPT(kc) LALT(kc)
#define LCMD(kc) LGUI(kc)
#define LWIN(kc) LGUI(kc)
#define RCTL(kc) (QK_RCTL | (kc))
#define RSFT(kc) (QK_RSFT | (kc))
#define RALT(kc) (QK_RALT | (kc))
#define RGUI(kc) (QK_RGUI | (kc))
#define ALGR(kc) RALT(kc)
#define ROPT(kc) RALT(kc)
#define RCMD(kc) RGUI(kc)
#define RWIN(kc) RGUI(kc)

#define HYPR(kc) (QK_LCTL | QK_LSFT | QK_LALT | QK_LGUI | (kc))
#define MEH(kc) (QK_LCTL | QK_LSFT | QK_LALT | (kc))
#define LCAG(kc) (QK_LCTL | QK_LALT | QK_LGUI | (kc))
#define LSG(kc) (QK_LSFT | QK_LGUI | (kc))
#define SGUI(kc) LSG(kc)
#define SCMD(kc) LSG(kc)
#define SWIN(kc) LSG(kc)
#define LAG(kc) (QK_LALT | QK_LGUI | (kc))
#define RSG(kc) (QK_RSFT | QK_RGUI | (kc))
#define RAG(kc) (QK_RALT | QK_RGUI | (kc))
#define LCA(kc) (QK_LCTL | QK_LALT | (kc))
#define LSA(kc) (QK_LSFT | QK_LALT | (kc))
#define RSA(kc) (QK_RSFT | QK_RALT | (kc))
#define RCS(kc) (QK_RCTL | QK_RSFT | (kc))
#define SAGR(kc) RSA(kc)

#define C(kc) LCTL(kc)
#define S(kc) LSFT(kc)
#define A(kc) LALT(kc)
#define G(kc) LGUI(kc)

#define KC_HYPR HYPR(KC_NO)
#define KC_MEH MEH(KC_NO)

// ---------------------------------------------------------------------------------------
// Layers. TO/MO/DF/TG/OSL/TT/PDF address 32 layers, LT/LM 16 layers.
// ---------------------------------------------------------------------------------------
#define TO(layer) (QK_TO | ((layer) & 0x1F))
#define MO(layer) (QK_MOMENTARY | ((layer) & 0x1F))
#define DF(layer) (QK_DEF_LAYER | ((layer) & 0x1F))
#define PDF(layer) (QK_PERSISTENT_DEF_LAYER | ((layer) & 0x1F))
#define TG(layer) (QK_TOGGLE_LAYER | ((layer) & 0x1F))
#define OSL(layer) (QK_ONE_SHOT_LAYER | ((layer) & 0x1F))
#define TT(layer) (QK_LAYER_TAP_TOGGLE | ((layer) & 0x1F))
#define LT(layer, kc) (QK_LAYER_TAP | (((layer) & 0xF) << 8) | ((kc) & 0xFF))
#define LM(layer, mod) (QK_LAYER_MOD | (((layer) & 0xF) << 5) | ((mod) & 0x1F))
#define OSM(mod) (QK_ONE_SHOT_MOD | ((mod) & 0x1F))

// One-shot mod aliases, QMK's names (QMK Configurator sends OSM(MOD_LSFT) as OS_LSFT).
#define OS_LCTL OSM(MOD_LCTL)
#define OS_LSFT OSM(MOD_LSFT)
#define OS_LALT OSM(MOD_LALT)
#define OS_LGUI OSM(MOD_LGUI)
#define OS_LCS OSM(MOD_LCTL | MOD_LSFT)
#define OS_LCA OSM(MOD_LCTL | MOD_LALT)
#define OS_LCG OSM(MOD_LCTL | MOD_LGUI)
#define OS_LSA OSM(MOD_LSFT | MOD_LALT)
#define OS_LSG OSM(MOD_LSFT | MOD_LGUI)
#define OS_LAG OSM(MOD_LALT | MOD_LGUI)
#define OS_LCSG OSM(MOD_LCTL | MOD_LSFT | MOD_LGUI)
#define OS_LCAG OSM(MOD_LCTL | MOD_LALT | MOD_LGUI)
#define OS_LSAG OSM(MOD_LSFT | MOD_LALT | MOD_LGUI)
#define OS_RCTL OSM(MOD_RCTL)
#define OS_RSFT OSM(MOD_RSFT)
#define OS_RALT OSM(MOD_RALT)
#define OS_RGUI OSM(MOD_RGUI)
#define OS_RCS OSM(MOD_RCTL | MOD_RSFT)
#define OS_RCA OSM(MOD_RCTL | MOD_RALT)
#define OS_RCG OSM(MOD_RCTL | MOD_RGUI)
#define OS_RSA OSM(MOD_RSFT | MOD_RALT)
#define OS_RSG OSM(MOD_RSFT | MOD_RGUI)

// ---------------------------------------------------------------------------------------
// Mod-tap: the modifier when held, kc when tapped.
// ---------------------------------------------------------------------------------------
#define MT(mod, kc) (QK_MOD_TAP | (((mod) & 0x1F) << 8) | ((kc) & 0xFF))

#define LCTL_T(kc) MT(MOD_LCTL, kc)
#define RCTL_T(kc) MT(MOD_RCTL, kc)
#define CTL_T(kc) LCTL_T(kc)
#define LSFT_T(kc) MT(MOD_LSFT, kc)
#define RSFT_T(kc) MT(MOD_RSFT, kc)
#define SFT_T(kc) LSFT_T(kc)
#define LALT_T(kc) MT(MOD_LALT, kc)
#define RALT_T(kc) MT(MOD_RALT, kc)
#define LOPT_T(kc) LALT_T(kc)
#define ROPT_T(kc) RALT_T(kc)
#define ALGR_T(kc) RALT_T(kc)
#define ALT_T(kc) LALT_T(kc)
#define OPT_T(kc) LOPT_T(kc)
#define LGUI_T(kc) MT(MOD_LGUI, kc)
#define RGUI_T(kc) MT(MOD_RGUI, kc)
#define LCMD_T(kc) LGUI_T(kc)
#define LWIN_T(kc) LGUI_T(kc)
#define RCMD_T(kc) RGUI_T(kc)
#define RWIN_T(kc) RGUI_T(kc)
#define GUI_T(kc) LGUI_T(kc)
#define CMD_T(kc) LCMD_T(kc)
#define WIN_T(kc) LWIN_T(kc)

#define C_S_T(kc) MT(MOD_LCTL | MOD_LSFT, kc)
#define MEH_T(kc) MT(MOD_LCTL | MOD_LSFT | MOD_LALT, kc)
#define LCAG_T(kc) MT(MOD_LCTL | MOD_LALT | MOD_LGUI, kc)
#define RCAG_T(kc) MT(MOD_RCTL | MOD_RALT | MOD_RGUI, kc)
#define HYPR_T(kc) MT(MOD_LCTL | MOD_LSFT | MOD_LALT | MOD_LGUI, kc)
#define ALL_T(kc) HYPR_T(kc)
#define LSG_T(kc) MT(MOD_LSFT | MOD_LGUI, kc)
#define SGUI_T(kc) LSG_T(kc)
#define SCMD_T(kc) LSG_T(kc)
#define SWIN_T(kc) LSG_T(kc)
#define LAG_T(kc) MT(MOD_LALT | MOD_LGUI, kc)
#define RSG_T(kc) MT(MOD_RSFT | MOD_RGUI, kc)
#define RAG_T(kc) MT(MOD_RALT | MOD_RGUI, kc)
#define LCA_T(kc) MT(MOD_LCTL | MOD_LALT, kc)
#define LSA_T(kc) MT(MOD_LSFT | MOD_LALT, kc)
#define RSA_T(kc) MT(MOD_RSFT | MOD_RALT, kc)
#define RCS_T(kc) MT(MOD_RCTL | MOD_RSFT, kc)
#define SAGR_T(kc) RSA_T(kc)

// ---------------------------------------------------------------------------------------
// Other parameterised ranges.
// ---------------------------------------------------------------------------------------
#define SH_T(kc) (QK_SWAP_HANDS | ((kc) & 0xFF))
#define TD(index) (QK_TAP_DANCE | ((index) & 0xFF))
#define UC(cp) (QK_UNICODE | ((cp) & 0x7FFF))
#define UM(index) (QK_UNICODEMAP | ((index) & 0x3FFF))
#define UP(i, j) (QK_UNICODEMAP_PAIR | ((i) & 0x7F) | (((j) & 0x7F) << 7))

// The Configurator writes ANY(expr) for raw C keycode expressions; it stands for expr.
#define ANY(kc) (kc)

// ---------------------------------------------------------------------------------------
// US ANSI shifted symbols (KC_TILD, KC_AMPR, ...), included for every keymap as QMK does.
// ---------------------------------------------------------------------------------------
#include "keymap_us.h"
