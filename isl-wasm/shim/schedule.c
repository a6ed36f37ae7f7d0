/* Scheduling with isl_schedule_constraints, schedule tree serialization to
 * JSON, and the tree transformations the compiler needs (tile, split,
 * insert mark), addressed by a path of child positions from the root.
 */
#include <limits.h>
#include <isl/id.h>
#include <isl/val.h>
#include <isl/aff.h>
#include <isl/options.h>
#include <isl/schedule.h>
#include <isl/schedule_node.h>
#include "shim.h"

SHIM_API isl_schedule *shim_schedule_read(isl_ctx *ctx, const char *str)
{
	return isl_schedule_read_from_str(ctx, str);
}

SHIM_API char *shim_schedule_to_str(isl_schedule *s)
{
	return isl_schedule_to_str(s);
}

SHIM_API void shim_schedule_free(isl_schedule *s)
{
	isl_schedule_free(s);
}

SHIM_API isl_union_map *shim_schedule_get_map(isl_schedule *s)
{
	return isl_schedule_get_map(s);
}

SHIM_API isl_union_set *shim_schedule_get_domain(isl_schedule *s)
{
	return isl_schedule_get_domain(s);
}

/* A schedule tree with one band given by "map" over "domain"; every
 * statement in "map" must have the same number of schedule dimensions. */
SHIM_API isl_schedule *shim_schedule_from_map(isl_union_set *domain,
	isl_union_map *map)
{
	isl_schedule *s;
	isl_multi_union_pw_aff *mupa;

	s = isl_schedule_from_domain(isl_union_set_copy(domain));
	mupa = isl_multi_union_pw_aff_from_union_map(isl_union_map_copy(map));
	return isl_schedule_insert_partial_schedule(s, mupa);
}

/* Scheduler options, in the order of "opts" (SHIM_KEEP keeps the
 * context's current setting). */
#define SHIM_KEEP INT_MIN
enum {
	OPT_OUTER_COINCIDENCE,
	OPT_SERIALIZE_SCCS,
	OPT_MAXIMIZE_BAND_DEPTH,
	OPT_WHOLE_COMPONENT,
	OPT_MAXIMIZE_COINCIDENCE,
	OPT_MAX_COEFFICIENT,
	OPT_MAX_CONSTANT_TERM,
	OPT_ALGORITHM,
	OPT_TREAT_COALESCING,
	OPT_SEPARATE_COMPONENTS,
	OPT_N
};

typedef int (*get_opt)(isl_ctx *ctx);
typedef isl_stat (*set_opt)(isl_ctx *ctx, int val);

static const get_opt getters[OPT_N] = {
	isl_options_get_schedule_outer_coincidence,
	isl_options_get_schedule_serialize_sccs,
	isl_options_get_schedule_maximize_band_depth,
	isl_options_get_schedule_whole_component,
	isl_options_get_schedule_maximize_coincidence,
	isl_options_get_schedule_max_coefficient,
	isl_options_get_schedule_max_constant_term,
	isl_options_get_schedule_algorithm,
	isl_options_get_schedule_treat_coalescing,
	isl_options_get_schedule_separate_components,
};

static const set_opt setters[OPT_N] = {
	isl_options_set_schedule_outer_coincidence,
	isl_options_set_schedule_serialize_sccs,
	isl_options_set_schedule_maximize_band_depth,
	isl_options_set_schedule_whole_component,
	isl_options_set_schedule_maximize_coincidence,
	isl_options_set_schedule_max_coefficient,
	isl_options_set_schedule_max_constant_term,
	isl_options_set_schedule_algorithm,
	isl_options_set_schedule_treat_coalescing,
	isl_options_set_schedule_separate_components,
};

/* Compute a schedule for "domain" respecting "validity" (and the
 * conditional validity pair, when both are given), making "coincidence"
 * dependences zero-distance where possible and "proximity" ones short.
 * Any constraint may be NULL.  "context" (may be NULL) bounds the
 * parameters.  The options in "opts" hold only for this call: the
 * context's settings are restored before returning, so no option leaks
 * from one call to the next.
 */
SHIM_API isl_schedule *shim_schedule_compute(isl_ctx *ctx,
	isl_union_set *domain, isl_union_map *validity,
	isl_union_map *coincidence, isl_union_map *proximity,
	isl_union_map *condition, isl_union_map *conditional_validity,
	isl_set *context, const int *opts, int n_opts)
{
	isl_schedule_constraints *sc;
	isl_schedule *schedule;
	int saved[OPT_N];
	int i;

	for (i = 0; i < OPT_N; ++i) {
		saved[i] = getters[i](ctx);
		if (i < n_opts && opts[i] != SHIM_KEEP)
			setters[i](ctx, opts[i]);
	}

	sc = isl_schedule_constraints_on_domain(isl_union_set_copy(domain));
	if (context)
		sc = isl_schedule_constraints_set_context(sc,
			isl_set_copy(context));
	if (validity)
		sc = isl_schedule_constraints_set_validity(sc,
			isl_union_map_copy(validity));
	if (coincidence)
		sc = isl_schedule_constraints_set_coincidence(sc,
			isl_union_map_copy(coincidence));
	if (proximity)
		sc = isl_schedule_constraints_set_proximity(sc,
			isl_union_map_copy(proximity));
	if (condition && conditional_validity)
		sc = isl_schedule_constraints_set_conditional_validity(sc,
			isl_union_map_copy(condition),
			isl_union_map_copy(conditional_validity));
	schedule = isl_schedule_constraints_compute_schedule(sc);

	for (i = 0; i < OPT_N; ++i)
		setters[i](ctx, saved[i]);
	return schedule;
}

/* Print "uset" and free it. */
static char *uset_str_take(isl_union_set *uset)
{
	char *s = isl_union_set_to_str(uset);

	isl_union_set_free(uset);
	return s;
}

/* Serialize the subtree at "node" as JSON into "b". */
static void node_to_json(struct shim_buf *b, isl_schedule_node *node)
{
	enum isl_schedule_node_type type;
	isl_size n, i;

	type = isl_schedule_node_get_type(node);
	switch (type) {
	case isl_schedule_node_band: {
		isl_size m = isl_schedule_node_band_n_member(node);
		isl_multi_union_pw_aff *mupa;

		shim_buf_add(b, "{\"kind\":\"band\",\"schedule\":");
		mupa = isl_schedule_node_band_get_partial_schedule(node);
		shim_buf_add_json_isl_str(b,
			isl_multi_union_pw_aff_to_str(mupa));
		isl_multi_union_pw_aff_free(mupa);
		shim_buf_addf(b, ",\"permutable\":%s,\"coincident\":[",
			isl_schedule_node_band_get_permutable(node) > 0 ?
				"true" : "false");
		if (m < 0)
			b->failed = 1;
		for (i = 0; i < m; ++i)
			shim_buf_addf(b, "%s%s", i ? "," : "",
				isl_schedule_node_band_member_get_coincident(
					node, i) > 0 ? "true" : "false");
		shim_buf_add(b, "]");
		break;
	}
	case isl_schedule_node_domain:
		shim_buf_add(b, "{\"kind\":\"domain\",\"domain\":");
		shim_buf_add_json_isl_str(b, uset_str_take(
			isl_schedule_node_domain_get_domain(node)));
		break;
	case isl_schedule_node_filter:
		shim_buf_add(b, "{\"kind\":\"filter\",\"filter\":");
		shim_buf_add_json_isl_str(b, uset_str_take(
			isl_schedule_node_filter_get_filter(node)));
		break;
	case isl_schedule_node_context:
		shim_buf_add(b, "{\"kind\":\"context\",\"context\":");
		{
			isl_set *c = isl_schedule_node_context_get_context(node);
			shim_buf_add_json_isl_str(b, isl_set_to_str(c));
			isl_set_free(c);
		}
		break;
	case isl_schedule_node_guard:
		shim_buf_add(b, "{\"kind\":\"guard\",\"guard\":");
		{
			isl_set *g = isl_schedule_node_guard_get_guard(node);
			shim_buf_add_json_isl_str(b, isl_set_to_str(g));
			isl_set_free(g);
		}
		break;
	case isl_schedule_node_mark: {
		isl_id *id = isl_schedule_node_mark_get_id(node);

		shim_buf_add(b, "{\"kind\":\"mark\",\"mark\":");
		shim_buf_add_json_str(b, isl_id_get_name(id));
		isl_id_free(id);
		break;
	}
	case isl_schedule_node_extension:
		shim_buf_add(b, "{\"kind\":\"extension\",\"extension\":");
		{
			isl_union_map *e =
				isl_schedule_node_extension_get_extension(node);
			shim_buf_add_json_isl_str(b, isl_union_map_to_str(e));
			isl_union_map_free(e);
		}
		break;
	case isl_schedule_node_expansion:
		shim_buf_add(b, "{\"kind\":\"expansion\",\"expansion\":");
		{
			isl_union_map *e =
				isl_schedule_node_expansion_get_expansion(node);
			shim_buf_add_json_isl_str(b, isl_union_map_to_str(e));
			isl_union_map_free(e);
		}
		break;
	case isl_schedule_node_sequence:
		shim_buf_add(b, "{\"kind\":\"sequence\"");
		break;
	case isl_schedule_node_set:
		shim_buf_add(b, "{\"kind\":\"set\"");
		break;
	case isl_schedule_node_leaf:
		shim_buf_add(b, "{\"kind\":\"leaf\"");
		break;
	default:
		b->failed = 1;
		return;
	}

	n = isl_schedule_node_n_children(node);
	if (n < 0)
		b->failed = 1;
	shim_buf_add(b, ",\"children\":[");
	for (i = 0; i < n; ++i) {
		isl_schedule_node *child = isl_schedule_node_get_child(node, i);

		if (i)
			shim_buf_add(b, ",");
		if (!child)
			b->failed = 1;
		else
			node_to_json(b, child);
		isl_schedule_node_free(child);
	}
	shim_buf_add(b, "]}");
}

/* The schedule tree of "s" as JSON: nodes {kind, children, ...}. */
SHIM_API char *shim_schedule_tree_json(isl_schedule *s)
{
	struct shim_buf b;
	isl_schedule_node *root;

	root = isl_schedule_get_root(s);
	if (!root)
		return NULL;
	shim_buf_init(&b);
	node_to_json(&b, root);
	isl_schedule_node_free(root);
	return shim_buf_finish(&b);
}

/* The node of "s" reached from the root by following child positions. */
static isl_schedule_node *node_at(isl_schedule *s, const int *path, int n)
{
	isl_schedule_node *node = isl_schedule_get_root(s);
	int i;

	for (i = 0; i < n && node; ++i)
		node = isl_schedule_node_child(node, path[i]);
	return node;
}

static isl_schedule *finish(isl_schedule_node *node)
{
	isl_schedule *s = isl_schedule_node_get_schedule(node);

	isl_schedule_node_free(node);
	return s;
}

/* Tile the band at "path" with the "n" sizes in "sizes" (one per band
 * member).  "scale" and "shift" select isl's tile_scale_tile_loops and
 * tile_shift_point_loops for this call (< 0: keep the setting). */
SHIM_API isl_schedule *shim_schedule_tile(isl_schedule *s, const int *path,
	int n_path, const int *sizes, int n, int scale, int shift)
{
	isl_ctx *ctx = isl_schedule_get_ctx(s);
	isl_schedule_node *node = node_at(s, path, n_path);
	isl_multi_val *mv;
	int old_scale = isl_options_get_tile_scale_tile_loops(ctx);
	int old_shift = isl_options_get_tile_shift_point_loops(ctx);
	int i;

	if (!node)
		return NULL;
	if (isl_schedule_node_get_type(node) != isl_schedule_node_band) {
		isl_schedule_node_free(node);
		isl_handle_error(ctx, isl_error_invalid,
			"tile: node at path is not a band", __FILE__, __LINE__);
		return NULL;
	}
	mv = isl_multi_val_zero(isl_schedule_node_band_get_space(node));
	for (i = 0; i < n; ++i)
		mv = isl_multi_val_set_val(mv, i,
			isl_val_int_from_si(ctx, sizes[i]));
	if (scale >= 0)
		isl_options_set_tile_scale_tile_loops(ctx, scale);
	if (shift >= 0)
		isl_options_set_tile_shift_point_loops(ctx, shift);
	node = isl_schedule_node_band_tile(node, mv);
	isl_options_set_tile_scale_tile_loops(ctx, old_scale);
	isl_options_set_tile_shift_point_loops(ctx, old_shift);
	return finish(node);
}

/* Split the band at "path" after its first "pos" members. */
SHIM_API isl_schedule *shim_schedule_band_split(isl_schedule *s,
	const int *path, int n_path, int pos)
{
	isl_schedule_node *node = node_at(s, path, n_path);

	return finish(isl_schedule_node_band_split(node, pos));
}

/* Set the coincident flag of member "pos" of the band at "path". */
SHIM_API isl_schedule *shim_schedule_band_set_coincident(isl_schedule *s,
	const int *path, int n_path, int pos, int coincident)
{
	isl_schedule_node *node = node_at(s, path, n_path);

	return finish(isl_schedule_node_band_member_set_coincident(node, pos,
		coincident));
}

/* Insert a mark named "name" above the node at "path". */
SHIM_API isl_schedule *shim_schedule_insert_mark(isl_schedule *s,
	const int *path, int n_path, const char *name)
{
	isl_schedule_node *node = node_at(s, path, n_path);
	isl_id *id;

	if (!node)
		return NULL;
	id = isl_id_alloc(isl_schedule_node_get_ctx(node), name, NULL);
	return finish(isl_schedule_node_insert_mark(node, id));
}

/* The prefix schedule (outer bands) of the node at "path", as a union map
 * from statement instances to the values of the enclosing band members. */
SHIM_API isl_union_map *shim_schedule_prefix_at(isl_schedule *s,
	const int *path, int n_path)
{
	isl_schedule_node *node = node_at(s, path, n_path);
	isl_union_map *m;

	m = isl_schedule_node_get_prefix_schedule_union_map(node);
	isl_schedule_node_free(node);
	return m;
}
