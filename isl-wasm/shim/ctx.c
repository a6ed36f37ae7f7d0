/* Context life cycle, error reporting and the operation quota.
 *
 * Every context is set to ISL_ON_ERROR_CONTINUE so that an isl error (or an
 * exceeded quota) makes the failing call return NULL instead of aborting the
 * wasm instance; the host reads the error code and message afterwards.
 */
#include <isl/options.h>
#include "shim.h"

SHIM_API isl_ctx *shim_ctx_alloc(void)
{
	isl_ctx *ctx = isl_ctx_alloc();

	if (!ctx)
		return NULL;
	isl_options_set_on_error(ctx, ISL_ON_ERROR_CONTINUE);
	return ctx;
}

SHIM_API void shim_ctx_free(isl_ctx *ctx)
{
	isl_ctx_free(ctx);
}

/* enum isl_error: 0 none, 1 abort, 2 alloc, 3 unknown, 4 internal,
 * 5 invalid, 6 quota, 7 unsupported. */
SHIM_API int shim_ctx_last_error(isl_ctx *ctx)
{
	return isl_ctx_last_error(ctx);
}

SHIM_API const char *shim_ctx_last_error_msg(isl_ctx *ctx)
{
	return isl_ctx_last_error_msg(ctx);
}

SHIM_API const char *shim_ctx_last_error_file(isl_ctx *ctx)
{
	return isl_ctx_last_error_file(ctx);
}

SHIM_API int shim_ctx_last_error_line(isl_ctx *ctx)
{
	return isl_ctx_last_error_line(ctx);
}

SHIM_API void shim_ctx_reset_error(isl_ctx *ctx)
{
	isl_ctx_reset_error(ctx);
}

/* Bound the number of isl operations from now on (0: unbounded) and restart
 * the count, so that each bounded computation gets the full quota. */
SHIM_API void shim_ctx_set_max_operations(isl_ctx *ctx, unsigned long max)
{
	isl_ctx_set_max_operations(ctx, max);
	isl_ctx_reset_operations(ctx);
}

SHIM_API unsigned long shim_ctx_get_max_operations(isl_ctx *ctx)
{
	return isl_ctx_get_max_operations(ctx);
}

SHIM_API void shim_str_free(char *s)
{
	free(s);
}
