/* AST generation from a schedule tree or a schedule map, serialized to JSON
 * in C (so that the host never walks isl_ast objects):
 *   node: {"kind":"for","iterator","init","cond","inc","body",
 *          "degenerate","coincident"} | {"kind":"if","cond","then","else"}
 *       | {"kind":"block","children"} | {"kind":"mark","mark","node"}
 *       | {"kind":"user","expr"}
 *   expr: {"kind":"id","name"} | {"kind":"int","value"}
 *       | {"kind":"op","op","args"}
 * "coincident" tells whether the schedule band member that the for loop
 * enumerates was marked coincident by the scheduler (null when the AST was
 * built from a schedule map, which carries no such information).
 */
#include <string.h>
#include <isl/id.h>
#include <isl/val.h>
#include <isl/ast.h>
#include <isl/ast_build.h>
#include "shim.h"
/* isl's own build structure: used only to find the schedule band member
 * that a for loop enumerates (as isl_ast_build_get_loop_type does). */
#include "isl_ast_build_private.h"

static const char *op_name(enum isl_ast_expr_op_type type)
{
	switch (type) {
	case isl_ast_expr_op_and: return "and";
	case isl_ast_expr_op_and_then: return "and_then";
	case isl_ast_expr_op_or: return "or";
	case isl_ast_expr_op_or_else: return "or_else";
	case isl_ast_expr_op_max: return "max";
	case isl_ast_expr_op_min: return "min";
	case isl_ast_expr_op_minus: return "minus";
	case isl_ast_expr_op_add: return "add";
	case isl_ast_expr_op_sub: return "sub";
	case isl_ast_expr_op_mul: return "mul";
	case isl_ast_expr_op_div: return "div";
	case isl_ast_expr_op_fdiv_q: return "fdiv_q";
	case isl_ast_expr_op_pdiv_q: return "pdiv_q";
	case isl_ast_expr_op_pdiv_r: return "pdiv_r";
	case isl_ast_expr_op_zdiv_r: return "zdiv_r";
	case isl_ast_expr_op_cond: return "cond";
	case isl_ast_expr_op_select: return "select";
	case isl_ast_expr_op_eq: return "eq";
	case isl_ast_expr_op_le: return "le";
	case isl_ast_expr_op_lt: return "lt";
	case isl_ast_expr_op_ge: return "ge";
	case isl_ast_expr_op_gt: return "gt";
	case isl_ast_expr_op_call: return "call";
	case isl_ast_expr_op_access: return "access";
	case isl_ast_expr_op_member: return "member";
	case isl_ast_expr_op_address_of: return "address_of";
	default: return NULL;
	}
}

static void expr_to_json(struct shim_buf *b, isl_ast_expr *expr);

/* Serialize "expr" (taken) and free it. */
static void expr_take(struct shim_buf *b, isl_ast_expr *expr)
{
	if (!expr)
		b->failed = 1;
	else
		expr_to_json(b, expr);
	isl_ast_expr_free(expr);
}

static void expr_to_json(struct shim_buf *b, isl_ast_expr *expr)
{
	switch (isl_ast_expr_get_type(expr)) {
	case isl_ast_expr_id: {
		isl_id *id = isl_ast_expr_id_get_id(expr);

		shim_buf_add(b, "{\"kind\":\"id\",\"name\":");
		shim_buf_add_json_str(b, isl_id_get_name(id));
		shim_buf_add(b, "}");
		isl_id_free(id);
		return;
	}
	case isl_ast_expr_int: {
		isl_val *v = isl_ast_expr_int_get_val(expr);
		char *s = isl_val_to_str(v);

		shim_buf_add(b, "{\"kind\":\"int\",\"value\":");
		if (s)
			shim_buf_add(b, s);
		else
			b->failed = 1;
		shim_buf_add(b, "}");
		free(s);
		isl_val_free(v);
		return;
	}
	case isl_ast_expr_op: {
		isl_size n = isl_ast_expr_op_get_n_arg(expr);
		const char *name = op_name(isl_ast_expr_op_get_type(expr));
		isl_size i;

		if (n < 0 || !name) {
			b->failed = 1;
			return;
		}
		shim_buf_add(b, "{\"kind\":\"op\",\"op\":");
		shim_buf_add_json_str(b, name);
		shim_buf_add(b, ",\"args\":[");
		for (i = 0; i < n; ++i) {
			if (i)
				shim_buf_add(b, ",");
			expr_take(b, isl_ast_expr_op_get_arg(expr, i));
		}
		shim_buf_add(b, "]}");
		return;
	}
	default:
		b->failed = 1;
	}
}

static void node_to_json(struct shim_buf *b, isl_ast_node *node);

static void node_take(struct shim_buf *b, isl_ast_node *node)
{
	if (!node)
		b->failed = 1;
	else
		node_to_json(b, node);
	isl_ast_node_free(node);
}

/* The annotation of a for node set by before_for: "coincident",
 * "sequential" or absent. */
static const char *coincidence_json(isl_ast_node *node)
{
	isl_id *id = isl_ast_node_get_annotation(node);
	const char *res = "null";

	if (id) {
		const char *name = isl_id_get_name(id);
		if (name && !strcmp(name, "coincident"))
			res = "true";
		else if (name && !strcmp(name, "sequential"))
			res = "false";
	}
	isl_id_free(id);
	return res;
}

static void node_to_json(struct shim_buf *b, isl_ast_node *node)
{
	switch (isl_ast_node_get_type(node)) {
	case isl_ast_node_for:
		shim_buf_add(b, "{\"kind\":\"for\",\"iterator\":");
		expr_take(b, isl_ast_node_for_get_iterator(node));
		shim_buf_add(b, ",\"init\":");
		expr_take(b, isl_ast_node_for_get_init(node));
		shim_buf_add(b, ",\"cond\":");
		expr_take(b, isl_ast_node_for_get_cond(node));
		shim_buf_add(b, ",\"inc\":");
		expr_take(b, isl_ast_node_for_get_inc(node));
		shim_buf_addf(b, ",\"degenerate\":%s,\"coincident\":%s",
			isl_ast_node_for_is_degenerate(node) > 0 ?
				"true" : "false",
			coincidence_json(node));
		shim_buf_add(b, ",\"body\":");
		node_take(b, isl_ast_node_for_get_body(node));
		shim_buf_add(b, "}");
		return;
	case isl_ast_node_if:
		shim_buf_add(b, "{\"kind\":\"if\",\"cond\":");
		expr_take(b, isl_ast_node_if_get_cond(node));
		shim_buf_add(b, ",\"then\":");
		node_take(b, isl_ast_node_if_get_then_node(node));
		shim_buf_add(b, ",\"else\":");
		if (isl_ast_node_if_has_else_node(node) > 0)
			node_take(b, isl_ast_node_if_get_else_node(node));
		else
			shim_buf_add(b, "null");
		shim_buf_add(b, "}");
		return;
	case isl_ast_node_block: {
		isl_ast_node_list *list = isl_ast_node_block_get_children(node);
		isl_size n = isl_ast_node_list_n_ast_node(list);
		isl_size i;

		if (n < 0)
			b->failed = 1;
		shim_buf_add(b, "{\"kind\":\"block\",\"children\":[");
		for (i = 0; i < n; ++i) {
			if (i)
				shim_buf_add(b, ",");
			node_take(b, isl_ast_node_list_get_at(list, i));
		}
		shim_buf_add(b, "]}");
		isl_ast_node_list_free(list);
		return;
	}
	case isl_ast_node_mark: {
		isl_id *id = isl_ast_node_mark_get_id(node);

		shim_buf_add(b, "{\"kind\":\"mark\",\"mark\":");
		shim_buf_add_json_str(b, isl_id_get_name(id));
		isl_id_free(id);
		shim_buf_add(b, ",\"node\":");
		node_take(b, isl_ast_node_mark_get_node(node));
		shim_buf_add(b, "}");
		return;
	}
	case isl_ast_node_user:
		shim_buf_add(b, "{\"kind\":\"user\",\"expr\":");
		expr_take(b, isl_ast_node_user_get_expr(node));
		shim_buf_add(b, "}");
		return;
	default:
		b->failed = 1;
	}
}

/* before_each_for callback: annotate the for node with whether the band
 * member it enumerates is coincident.  "build" is the build of the body,
 * whose depth is one past the loop's schedule dimension. */
static isl_id *before_for(isl_ast_build *build, void *user)
{
	isl_ctx *ctx = isl_ast_build_get_ctx(build);
	int pos;
	isl_size n;
	isl_bool c;

	(void) user;
	if (!build->node ||
	    isl_schedule_node_get_type(build->node) != isl_schedule_node_band)
		return isl_id_alloc(ctx, "unknown", NULL);
	pos = build->depth - 1 - build->outer_pos;
	n = isl_schedule_node_band_n_member(build->node);
	if (pos < 0 || n < 0 || pos >= n)
		return isl_id_alloc(ctx, "unknown", NULL);
	c = isl_schedule_node_band_member_get_coincident(build->node, pos);
	if (c < 0)
		return NULL;
	return isl_id_alloc(ctx, c ? "coincident" : "sequential", NULL);
}

/* Serialize "tree" (taken) as {"root": node, "c": pseudo-C text}. */
static char *finish(isl_ast_node *tree)
{
	struct shim_buf b;
	char *c;

	if (!tree)
		return NULL;
	shim_buf_init(&b);
	shim_buf_add(&b, "{\"root\":");
	node_to_json(&b, tree);
	shim_buf_add(&b, ",\"c\":");
	c = isl_ast_node_to_C_str(tree);
	shim_buf_add_json_isl_str(&b, c);
	shim_buf_add(&b, "}");
	isl_ast_node_free(tree);
	return shim_buf_finish(&b);
}

static isl_ast_build *new_build(isl_ctx *ctx, isl_set *context)
{
	isl_ast_build *build;

	if (context)
		build = isl_ast_build_from_context(isl_set_copy(context));
	else
		build = isl_ast_build_alloc(ctx);
	return isl_ast_build_set_before_each_for(build, &before_for, NULL);
}

/* Generate an AST for schedule tree "s" under parameter "context" (may be
 * NULL) and return it as JSON (see the top of this file). */
SHIM_API char *shim_ast_from_schedule(isl_schedule *s, isl_set *context)
{
	isl_ast_build *build;
	isl_ast_node *tree;

	if (!s)
		return NULL;
	build = new_build(isl_schedule_get_ctx(s), context);
	tree = isl_ast_build_node_from_schedule(build, isl_schedule_copy(s));
	isl_ast_build_free(build);
	return finish(tree);
}

/* Generate an AST for schedule map "m" (statement instance -> time) under
 * "context" (may be NULL). */
SHIM_API char *shim_ast_from_schedule_map(isl_union_map *m,
	isl_set *context)
{
	isl_ast_build *build;
	isl_ast_node *tree;

	if (!m)
		return NULL;
	build = new_build(isl_union_map_get_ctx(m), context);
	tree = isl_ast_build_node_from_schedule_map(build,
		isl_union_map_copy(m));
	isl_ast_build_free(build);
	return finish(tree);
}
