/* Dependence analysis with isl's union access info / union flow, the way
 * PPCG does it (ppcg.c: compute_flow_dep, compute_dependences), except that
 * the false dependences are split into anti (WAR) and output (WAW).
 *
 * Access relations are first intersected with the iteration domain, so that
 * no dependence is reported for instances that do not execute.
 */
#include <isl/flow.h>
#include "shim.h"

/* Return a copy of "umap" restricted to "domain", or an empty union map in
 * "ctx" when "umap" is NULL (an absent access kind). */
static isl_union_map *accesses(isl_ctx *ctx, isl_union_map *umap,
	isl_union_set *domain)
{
	if (!umap)
		return isl_union_map_empty_ctx(ctx);
	return isl_union_map_intersect_domain(isl_union_map_copy(umap),
		isl_union_set_copy(domain));
}

/* Attach the original execution order: a schedule tree when given,
 * otherwise a schedule map. */
static isl_union_access_info *with_schedule(isl_union_access_info *access,
	isl_schedule *schedule, isl_union_map *schedule_map)
{
	if (schedule)
		return isl_union_access_info_set_schedule(access,
			isl_schedule_copy(schedule));
	return isl_union_access_info_set_schedule_map(access,
		isl_union_map_copy(schedule_map));
}

/* Dependences from the sources "must" (definite) and "may" to "sink",
 * where "kill" (may be NULL) cuts dependences without being reported.
 * "must_dep" (may be NULL) receives the must-dependences. */
static isl_union_map *flow(__isl_take isl_union_map *sink,
	__isl_take isl_union_map *must, __isl_take isl_union_map *may,
	__isl_take isl_union_map *kill, isl_schedule *schedule,
	isl_union_map *schedule_map, isl_union_map **must_dep)
{
	isl_union_access_info *access;
	isl_union_flow *uflow;
	isl_union_map *dep;

	access = isl_union_access_info_from_sink(sink);
	if (must)
		access = isl_union_access_info_set_must_source(access, must);
	if (kill)
		access = isl_union_access_info_set_kill(access, kill);
	access = isl_union_access_info_set_may_source(access, may);
	access = with_schedule(access, schedule, schedule_map);
	uflow = isl_union_access_info_compute_flow(access);
	if (must_dep)
		*must_dep = isl_union_map_coalesce(
			isl_union_flow_get_must_dependence(uflow));
	dep = isl_union_flow_get_may_dependence(uflow);
	isl_union_flow_free(uflow);
	return isl_union_map_coalesce(dep);
}

/* Compute the dependences of a program given by its iteration "domain",
 * access relations (any may be NULL; "may_writes" need not include
 * "must_writes") and original order ("schedule" or "schedule_map").
 *
 * On success store four new union maps in out[0..3] and return 0:
 *   out[0] flow   (read after write, may: every possible last writer),
 *   out[1] flow_must (the part of out[0] that certainly holds),
 *   out[2] anti   (write after read, not cut by an intervening must-write),
 *   out[3] output (write after write, direct only).
 * On failure return -1; out[] is then left NULL.
 */
SHIM_API int shim_compute_dependences(isl_ctx *ctx, isl_union_set *domain,
	isl_union_map *must_writes, isl_union_map *may_writes,
	isl_union_map *reads, isl_schedule *schedule,
	isl_union_map *schedule_map, isl_union_map **out)
{
	isl_union_map *must, *writes, *rd;
	int i;

	for (i = 0; i < 4; ++i)
		out[i] = NULL;
	if (!domain || (!schedule && !schedule_map))
		return -1;

	must = accesses(ctx, must_writes, domain);
	writes = isl_union_map_union(accesses(ctx, may_writes, domain),
		isl_union_map_copy(must));
	rd = accesses(ctx, reads, domain);

	out[0] = flow(isl_union_map_copy(rd), isl_union_map_copy(must),
		isl_union_map_copy(writes), NULL, schedule, schedule_map,
		&out[1]);
	out[2] = flow(isl_union_map_copy(writes), NULL,
		isl_union_map_copy(rd), isl_union_map_copy(must),
		schedule, schedule_map, NULL);
	out[3] = flow(isl_union_map_copy(writes), isl_union_map_copy(must),
		isl_union_map_copy(writes), NULL, schedule, schedule_map,
		NULL);

	isl_union_map_free(must);
	isl_union_map_free(writes);
	isl_union_map_free(rd);

	if (!out[0] || !out[1] || !out[2] || !out[3]) {
		for (i = 0; i < 4; ++i)
			out[i] = isl_union_map_free(out[i]);
		return -1;
	}
	return 0;
}
