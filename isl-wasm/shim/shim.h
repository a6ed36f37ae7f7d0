/* Polyray isl shim: a string/handle-level API over isl for WebAssembly hosts.
 *
 * Ownership rule for every shim_* function (uniform, so bindings need no
 * per-function knowledge):
 *   - handle arguments are __isl_keep: the shim copies what it passes to isl;
 *     the caller still owns its handles and frees them with shim_<type>_free;
 *   - a returned handle is __isl_give: a new object the caller must free;
 *   - a returned char * is malloc'd: the caller frees it with shim_str_free;
 *   - NULL (0) means failure: shim_ctx_last_error / _msg say why.
 * Callbacks (AST build, tree walks) stay inside C; the host only sees
 * strings (isl syntax or JSON) and opaque handles.
 */
#ifndef POLYRAY_ISL_SHIM_H
#define POLYRAY_ISL_SHIM_H

#include <stdlib.h>
#include <isl/ctx.h>
#include <isl/set.h>
#include <isl/map.h>
#include <isl/union_set.h>
#include <isl/union_map.h>
#include <isl/schedule.h>
#include <isl/schedule_node.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define SHIM_API EMSCRIPTEN_KEEPALIVE
#else
#define SHIM_API
#endif

/* A growable, NUL-terminated character buffer for JSON output. */
struct shim_buf {
	char *s;
	size_t len;
	size_t cap;
	int failed;
};

void shim_buf_init(struct shim_buf *b);
void shim_buf_add(struct shim_buf *b, const char *s);
void shim_buf_addf(struct shim_buf *b, const char *fmt, ...);
/* Append "s" as a JSON string literal (quoted and escaped); NULL -> null. */
void shim_buf_add_json_str(struct shim_buf *b, const char *s);
/* Append an isl-allocated string as JSON and free it. */
void shim_buf_add_json_isl_str(struct shim_buf *b, char *s);
/* Return the buffer (caller frees) or NULL when an allocation failed. */
char *shim_buf_finish(struct shim_buf *b);

#endif
