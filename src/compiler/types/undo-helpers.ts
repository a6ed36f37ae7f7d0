// Helpers that may leave a call to the original from inside compiled code (runtime/variants.py
// LeftToOriginal): the CPU variant saves its written arrays before each run (CpuVariant undo=) and
// restores them when one does; none has a device form.
import { CHECKED_EXTREMA_HELPERS } from './reductions.js';

/** int() of a float (runtime/int_helpers.py): CPython's exception or big int past int64 is the original's. */
export const INT_OF_FLOAT_HELPER = 'py_int';

/** `.astype(<integer dtype>)` of a float array (runtime/int_helpers.py): NaN, inf and out-of-range values are undefined in C. */
export const ASTYPE_INT_HELPER = 'astype_int';

/**
 * A computed Python int stored into (or meeting) a narrower integer dtype (runtime/int_helpers.py fit_int):
 * NumPy 2 raises OverflowError out of the dtype's range, so such values are the original's (types/casts.ts checked).
 */
export const CHECKED_INT_HELPER = 'fit_int';
/** fit_int's flagging form inside prange loops (a speculative variant: FAIL_FLAG, rollback=). */
export const SPEC_CHECKED_INT_HELPER = 'spec_fit_int';

/** An index read from data into a fresh local array, outside a prange loop (runtime/index_checks.py): NumPy's IndexError is the original's. */
export const CHECKED_INDEX_HELPER = 'check_index';

/**
 * np.cumsum/np.cumprod with dtype=, and complex np.cumprod (runtime/row_helpers.py): a float cast to an integer
 * dtype out of its range, and a complex partial product that is not finite, are the original's.
 */
export const SCAN_DTYPE_HELPERS = ['cumsum_dtype', 'cumprod_dtype'] as const;

/** The helpers that leave a value to the original (no device form either). */
export const LEFT_TO_ORIGINAL_HELPERS: ReadonlySet<string> = new Set([INT_OF_FLOAT_HELPER, ASTYPE_INT_HELPER, CHECKED_INT_HELPER, CHECKED_INDEX_HELPER, ...SCAN_DTYPE_HELPERS]);

export const UNDOING_HELPERS: ReadonlySet<string> = new Set([...CHECKED_EXTREMA_HELPERS, ...LEFT_TO_ORIGINAL_HELPERS]);
