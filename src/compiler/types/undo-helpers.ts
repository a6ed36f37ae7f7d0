// Helpers that may leave a call to the original from inside compiled code (runtime/variants.py
// LeftToOriginal): the CPU variant saves its written arrays before each run (CpuVariant undo=) and
// restores them when one does; none has a device form.
import { CHECKED_EXTREMA_HELPERS } from './reductions.js';

/** int() of a float (runtime/int_helpers.py): CPython's exception or big int past int64 is the original's. */
export const INT_OF_FLOAT_HELPER = 'py_int';

export const UNDOING_HELPERS: ReadonlySet<string> = new Set([...CHECKED_EXTREMA_HELPERS, INT_OF_FLOAT_HELPER]);
