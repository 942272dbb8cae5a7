// qmk-edge demo tree: matrix scanning (COL2ROW: drive one row, read all columns).
//
// Pin access goes through platform.h, whose implementations are stubs; the scan loop
// itself is real. No debouncing: the demo firmware never meets a real switch.
#include "quantum.h"
#include "matrix.h"
#include "platform.h"

static matrix_row_t matrix[MATRIX_ROWS];

void matrix_init(void) {
    for (uint8_t row = 0; row < MATRIX_ROWS; row++) {
        platform_unselect_row(row);
        matrix[row] = 0;
    }
}

bool matrix_scan(void) {
    bool changed = false;
    for (uint8_t row = 0; row < MATRIX_ROWS; row++) {
        platform_select_row(row);
        matrix_row_t cols = (matrix_row_t)(platform_read_cols() & ((1UL << MATRIX_COLS) - 1));
        platform_unselect_row(row);
        if (cols != matrix[row]) {
            matrix[row] = cols;
            changed     = true;
        }
    }
    return changed;
}

matrix_row_t matrix_get_row(uint8_t row) {
    return matrix[row];
}
