/** Version of the compiler; generated modules and cache keys carry it. */
export const COMPILER_VERSION = '0.1.0';
