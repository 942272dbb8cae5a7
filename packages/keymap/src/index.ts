export { HjsonError, parseHjson } from "./hjson.ts";
export { decodeCountedJson, decodeJsonText, type JsonTextError, type JsonTextParse } from "./json-text.ts";
export {
  KEYCODE_MAX_CHARS,
  KEYCODE_MAX_DEPTH,
  type Keycode,
  type KeycodeError,
  type KeycodeExpr,
  type KeycodeParse,
  parseKeycode,
  renderKeycode,
  renderKeycodeC,
} from "./keycode.ts";
export { KEYCODE_NUMBER_MAX } from "./keycode-lexer.ts";
export { generateKeymapC } from "./keymap-c.ts";
export { InvalidKeymapError, keycodeFieldError, MAX_FIELD_ERRORS } from "./keymap-errors.ts";
export { generateConfigH, generateKeymapH, generateRulesMk, type KeymapFileOptions } from "./keymap-files.ts";
export { generateKeymapJson } from "./keymap-json.ts";
export { LEGACY_KEYCODES } from "./legacy-keycodes.ts";
export {
  type CompileRequestParse,
  parseCompileRequest,
  parseCompileRequestText,
  type RequestErrorKind,
} from "./parse-compile-request.ts";
export type { EncoderKeys, Macro, MacroStep, ParsedCompileRequest, ParsedKeymap } from "./parsed-request.ts";
export { keycodeNamesFromQmkSources, type QmkKeycodeSources } from "./qmk-keycode-names.ts";
export {
  type KeycodeHjsonFile,
  keycodeAliasPairs,
  keycodeVersionOrder,
  qmkKeycodeRenames,
  renamesFromKeycodeHjson,
  rgbMatrixRenames,
} from "./qmk-keycode-renames.ts";
export { quoteInput } from "./quote-input.ts";
export {
  type KeycodeTranslation,
  type KeycodeTranslationResult,
  type TranslateOptions,
  translateKeycodes,
} from "./translate-keycodes.ts";
