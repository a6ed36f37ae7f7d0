// Errors raised by isl come back as exceptions carrying isl's own message;
// an exhausted operation quota is a distinct class so that callers can fall
// back (to the original schedule, say) without parsing messages.

export class IslError extends Error {
  /** isl's error code (enum isl_error), 0 when the shim found the problem. */
  readonly code: number;
  /** isl's source location of the error, when isl reported one. */
  readonly islFile: string | undefined;
  readonly islLine: number | undefined;

  constructor(message: string, code = 0, islFile?: string, islLine?: number) {
    super(message);
    this.name = 'IslError';
    this.code = code;
    this.islFile = islFile;
    this.islLine = islLine;
  }
}

/** isl stopped because the context's max_operations quota ran out. */
export class IslQuotaError extends IslError {
  constructor(message: string, islFile?: string, islLine?: number) {
    super(message, 6, islFile, islLine);
    this.name = 'IslQuotaError';
  }
}
