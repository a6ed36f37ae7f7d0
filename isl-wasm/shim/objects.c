/* Sets, maps, union sets and union maps: parse, print and the usual
 * operations.  All functions follow the ownership rule of shim.h (keep the
 * arguments, give the result); the macros below apply that rule uniformly.
 */
#include <isl/val.h>
#include "shim.h"

/* Parse, print, free for one type T. */
#define SHIM_BASICS(T)							\
SHIM_API isl_##T *shim_##T##_read(isl_ctx *ctx, const char *str)	\
{									\
	return isl_##T##_read_from_str(ctx, str);			\
}									\
SHIM_API char *shim_##T##_to_str(isl_##T *a)				\
{									\
	return isl_##T##_to_str(a);					\
}									\
SHIM_API void shim_##T##_free(isl_##T *a)				\
{									\
	isl_##T##_free(a);						\
}									\
SHIM_API isl_##T *shim_##T##_copy(isl_##T *a)				\
{									\
	return isl_##T##_copy(a);					\
}

/* R shim_T_OP(T a), R the result type */
#define SHIM_UNARY(R, OP, T)						\
SHIM_API R *shim_##T##_##OP(isl_##T *a)					\
{									\
	return isl_##T##_##OP(isl_##T##_copy(a));			\
}

/* T shim_T_OP(T a, U b) */
#define SHIM_BINARY(T, OP, U)						\
SHIM_API isl_##T *shim_##T##_##OP(isl_##T *a, isl_##U *b)		\
{									\
	return isl_##T##_##OP(isl_##T##_copy(a), isl_##U##_copy(b));	\
}

/* Predicates return 1 (true), 0 (false) or -1 (error). */
#define SHIM_PRED1(T, OP)						\
SHIM_API int shim_##T##_##OP(isl_##T *a)				\
{									\
	return isl_##T##_##OP(a);					\
}
#define SHIM_PRED2(T, OP)						\
SHIM_API int shim_##T##_##OP(isl_##T *a, isl_##T *b)			\
{									\
	return isl_##T##_##OP(a, b);					\
}

/* Operations shared by all four types. */
#define SHIM_COMMON(T)							\
SHIM_BASICS(T)								\
SHIM_BINARY(T, intersect, T)						\
SHIM_BINARY(T, union, T)						\
SHIM_BINARY(T, subtract, T)						\
SHIM_BINARY(T, gist, T)							\
SHIM_UNARY(isl_##T, lexmin, T)						\
SHIM_UNARY(isl_##T, lexmax, T)						\
SHIM_UNARY(isl_##T, coalesce, T)					\
SHIM_UNARY(isl_##T, detect_equalities, T)				\
SHIM_UNARY(isl_set, params, T)						\
SHIM_BINARY(T, intersect_params, set)					\
SHIM_BINARY(T, gist_params, set)					\
SHIM_PRED1(T, is_empty)							\
SHIM_PRED2(T, is_equal)							\
SHIM_PRED2(T, is_subset)

SHIM_COMMON(set)
SHIM_COMMON(map)
SHIM_COMMON(union_set)
SHIM_COMMON(union_map)

/* Maps and union maps. */
#define SHIM_MAPS(T, S)							\
SHIM_UNARY(isl_##T, reverse, T)						\
SHIM_UNARY(isl_##S, domain, T)						\
SHIM_UNARY(isl_##S, range, T)						\
SHIM_UNARY(isl_##S, deltas, T)						\
SHIM_UNARY(isl_##S, wrap, T)						\
SHIM_BINARY(T, apply_range, T)						\
SHIM_BINARY(T, apply_domain, T)						\
SHIM_BINARY(T, intersect_domain, S)					\
SHIM_BINARY(T, intersect_range, S)					\
SHIM_BINARY(T, subtract_domain, S)					\
SHIM_BINARY(T, subtract_range, S)					\
SHIM_PRED1(T, is_single_valued)						\
SHIM_PRED1(T, is_injective)

SHIM_MAPS(map, set)
SHIM_MAPS(union_map, union_set)

SHIM_API isl_set *shim_set_apply(isl_set *a, isl_map *m)
{
	return isl_set_apply(isl_set_copy(a), isl_map_copy(m));
}

SHIM_API isl_union_set *shim_union_set_apply(isl_union_set *a,
	isl_union_map *m)
{
	return isl_union_set_apply(isl_union_set_copy(a),
		isl_union_map_copy(m));
}

SHIM_API isl_union_map *shim_union_set_identity(isl_union_set *a)
{
	return isl_union_set_identity(isl_union_set_copy(a));
}

SHIM_API isl_map *shim_set_identity(isl_set *a)
{
	return isl_set_identity(isl_set_copy(a));
}

SHIM_API isl_union_map *shim_union_set_lex_lt_union_set(isl_union_set *a,
	isl_union_set *b)
{
	return isl_union_set_lex_lt_union_set(isl_union_set_copy(a),
		isl_union_set_copy(b));
}

/* Project out "n" dimensions of type "type" (1 param, 3 set/out, 2 in)
 * starting at "first". */
SHIM_API isl_set *shim_set_project_out(isl_set *a, int type, int first,
	int n)
{
	return isl_set_project_out(isl_set_copy(a), type, first, n);
}

SHIM_API isl_map *shim_map_project_out(isl_map *a, int type, int first,
	int n)
{
	return isl_map_project_out(isl_map_copy(a), type, first, n);
}

/* Project out all parameters (keeps the tuples, drops the parameter
 * constraints by existential quantification). */
SHIM_API isl_union_set *shim_union_set_project_out_all_params(
	isl_union_set *a)
{
	return isl_union_set_project_out_all_params(isl_union_set_copy(a));
}

SHIM_API isl_union_map *shim_union_map_project_out_all_params(
	isl_union_map *a)
{
	return isl_union_map_project_out_all_params(isl_union_map_copy(a));
}

SHIM_API isl_union_set *shim_union_set_from_set(isl_set *a)
{
	return isl_union_set_from_set(isl_set_copy(a));
}

SHIM_API isl_union_map *shim_union_map_from_map(isl_map *a)
{
	return isl_union_map_from_map(isl_map_copy(a));
}

SHIM_API isl_set *shim_set_from_union_set(isl_union_set *a)
{
	return isl_set_from_union_set(isl_union_set_copy(a));
}

SHIM_API isl_map *shim_map_from_union_map(isl_union_map *a)
{
	return isl_map_from_union_map(isl_union_map_copy(a));
}

SHIM_API int shim_set_dim(isl_set *a, int type)
{
	return isl_set_dim(a, type);
}

SHIM_API int shim_map_dim(isl_map *a, int type)
{
	return isl_map_dim(a, type);
}
