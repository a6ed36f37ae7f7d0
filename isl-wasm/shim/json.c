/* A minimal string builder with JSON string escaping, used by the schedule
 * tree and AST serializers so that the host parses one JSON document
 * instead of walking isl objects across the wasm boundary.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "shim.h"

void shim_buf_init(struct shim_buf *b)
{
	b->cap = 256;
	b->len = 0;
	b->failed = 0;
	b->s = malloc(b->cap);
	if (!b->s)
		b->failed = 1;
	else
		b->s[0] = '\0';
}

static void reserve(struct shim_buf *b, size_t extra)
{
	char *s;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + extra + 1 <= b->cap)
		return;
	cap = b->cap;
	while (b->len + extra + 1 > cap)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s) {
		b->failed = 1;
		return;
	}
	b->s = s;
	b->cap = cap;
}

void shim_buf_add(struct shim_buf *b, const char *s)
{
	size_t n = strlen(s);

	reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void shim_buf_addf(struct shim_buf *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t) n < sizeof(small)) {
		shim_buf_add(b, small);
		return;
	}
	reserve(b, n);
	if (b->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void shim_buf_add_json_str(struct shim_buf *b, const char *s)
{
	const unsigned char *p;
	char esc[8];

	if (!s) {
		shim_buf_add(b, "null");
		return;
	}
	shim_buf_add(b, "\"");
	for (p = (const unsigned char *) s; *p; ++p) {
		switch (*p) {
		case '"': shim_buf_add(b, "\\\""); break;
		case '\\': shim_buf_add(b, "\\\\"); break;
		case '\n': shim_buf_add(b, "\\n"); break;
		case '\t': shim_buf_add(b, "\\t"); break;
		case '\r': shim_buf_add(b, "\\r"); break;
		default:
			if (*p < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				shim_buf_add(b, esc);
			} else {
				esc[0] = (char) *p;
				esc[1] = '\0';
				shim_buf_add(b, esc);
			}
		}
	}
	shim_buf_add(b, "\"");
}

void shim_buf_add_json_isl_str(struct shim_buf *b, char *s)
{
	if (!s)
		b->failed = 1;
	shim_buf_add_json_str(b, s);
	free(s);
}

char *shim_buf_finish(struct shim_buf *b)
{
	if (b->failed) {
		free(b->s);
		b->s = NULL;
		return NULL;
	}
	return b->s;
}
