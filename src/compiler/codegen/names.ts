// Names the generated module defines beside the user's functions. One place,
// so the runtime, the report and the tests agree on them.
export const RUNTIME_ALIAS = '_polyray';
export const RUNTIME_IMPORT = `import polyray.runtime as ${RUNTIME_ALIAS}`;
export const originalName = (fn: string): string => `_polyray_original_${fn}`;
export const cpuName = (fn: string): string => `_polyray_cpu_${fn}`;
export const dispatcherName = (fn: string): string => `_polyray_dispatch_${fn}`;
export const helperName = (helper: string): string => `_polyray_h_${helper}`;
/** numba.prange, injected by the runtime's CpuVariant so generated modules never import numba. */
export const PRANGE = '_polyray_prange';
/**
 * numba.int64, injected by the runtime: prange's index is unsigned in Numba
 * (`-i` of it wraps to 2**64 - i), so every prange counter is cast first.
 */
export const INT64 = '_polyray_int64';
/** numpy itself, injected by the runtime: generated code allocates temporaries whatever the user named the module. */
export const NUMPY = '_polyray_np';
/** the math module, injected by the runtime's GpuVariant (kernels call math.sqrt for np.sqrt). */
export const MATH = '_polyray_math';
/** A matrix product on the device, injected by the runtime's GpuVariant (cupy.matmul: cuBLAS; without CuPy, through the host). */
export const DEVICE_DOT = '_polyray_gpu_dot';
