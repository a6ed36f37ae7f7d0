// The Emscripten module as the bindings see it: exported C functions (all
// arguments and results are i32: handles, pointers or integers) plus the
// runtime helpers listed in build.sh. Kept in one place so that the rest of
// the bindings never touch the module untyped.

/** A C function of the shim: i32 arguments, i32 result. */
export type RawFn = (...args: number[]) => number;

export interface RawModule {
  [name: `_shim_${string}`]: RawFn;
  _malloc(size: number): number;
  _free(ptr: number): void;
  HEAP8: Int8Array;
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  UTF8ToString(ptr: number, maxBytes?: number): string;
  stringToUTF8(str: string, ptr: number, maxBytes: number): void;
  lengthBytesUTF8(str: string): number;
}

/** isl's enum isl_error. */
export const enum IslErrorCode {
  None = 0,
  Abort = 1,
  Alloc = 2,
  Unknown = 3,
  Internal = 4,
  Invalid = 5,
  Quota = 6,
  Unsupported = 7,
}

/** isl's enum isl_dim_type, for projectOut. */
export const DimType = { param: 1, in: 2, out: 3, set: 3 } as const;
export type DimTypeName = keyof typeof DimType;
