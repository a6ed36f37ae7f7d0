"""islpy oracle for the isl-wasm tests.

Reads a JSON list of kernels {name, domain, mustWrites, reads, schedule} on
stdin and prints {name: {flow, anti, output}} computed with islpy by the same
method as shim/flow.c (PPCG's), so the tests can compare the two isl builds.
"""
import json
import sys

import islpy as isl


def flow(sink, must, may, kill, schedule):
    access = isl.UnionAccessInfo.from_sink(sink)
    if must is not None:
        access = access.set_must_source(must)
    if kill is not None:
        access = access.set_kill(kill)
    access = access.set_may_source(may)
    access = access.set_schedule_map(schedule)
    return access.compute_flow().get_may_dependence().coalesce()


def dependences(k):
    ctx = isl.DEFAULT_CONTEXT
    domain = isl.UnionSet.read_from_str(ctx, k["domain"])
    must = isl.UnionMap.read_from_str(ctx, k["mustWrites"]).intersect_domain(domain)
    reads = isl.UnionMap.read_from_str(ctx, k["reads"]).intersect_domain(domain)
    schedule = isl.UnionMap.read_from_str(ctx, k["schedule"])
    return {
        "flow": str(flow(reads, must, must, None, schedule)),
        "anti": str(flow(must, None, reads, must, schedule)),
        "output": str(flow(must, must, must, None, schedule)),
    }


def main():
    kernels = json.load(sys.stdin)
    json.dump({k["name"]: dependences(k) for k in kernels}, sys.stdout)


if __name__ == "__main__":
    main()
