"""Which generated statements a call of a function can reach, to tell whether two generated modules (a
program compiled in the exact and in the close numerics mode) hold the same code for that function: then a test
of close mode can run exact mode's already compiled function in its place (test/python/compiled.py twin_for,
test/fuzz/run.py run_close), and only the functions the modes generate differently compile twice."""
from __future__ import annotations

import ast


def same_code(exact_text: str, close_text: str, name: str) -> bool:
    """Whether `name`'s reachable statements are the same text in both generated modules."""
    return reach(statements(exact_text), name) == reach(statements(close_text), name)


def statements(text: str) -> list[tuple[frozenset[str], frozenset[str], str]]:
    """A generated module's top-level statements as (names it binds, names it reads, its source text). A statement
    that assigns to `f.attr` or `f[...]` binds f too; a string constant that is an identifier counts as a read
    (the dispatcher names its entry point by string); the `_polyray_numerics` line is left out (the runtime reads
    nothing else of the mode: compiled.same_in_both_modes)."""
    out = []
    # split once, as ast.get_source_segment splits (only at \n, \r\n, \r), which does it again for every node: quadratic,
    # 4% of a fuzz program's CPU time in run_close on long modules
    lines = list(getattr(ast, "_splitlines_no_ff", lambda t: t.splitlines(keepends=True))(text))
    for node in ast.parse(text).body:
        binds: set[str] = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            binds.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        binds.add(n.id)
        if binds == {"_polyray_numerics"}:
            continue
        reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        reads |= {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.isidentifier()}
        out.append((frozenset(binds), frozenset(reads), _segment(lines, node)))
    return out


def reach(statements: list[tuple[frozenset[str], frozenset[str], str]], name: str) -> tuple[list[str], set[str]]:
    """The source of the statements a call of `name` can reach: those binding it, then those binding any name
    they read, transitively, and every statement that binds nothing (run for its effect); in module order,
    except the imports, as a set (the generator imports a module again before each function that needs it)."""
    wanted, taken = {name}, [not binds for binds, _, _ in statements]
    grew = True
    while grew:
        grew = False
        for i, (binds, reads, _) in enumerate(statements):
            if not taken[i] and binds & wanted:
                taken[i], grew = True, True
                wanted |= reads
    texts = [text for (_, _, text), t in zip(statements, taken) if t]
    imports = {t for t in texts if t.startswith(("import ", "from "))}
    return [t for t in texts if t not in imports], imports


def _segment(lines: list[str], node: ast.stmt) -> str:
    """ast.get_source_segment(text, node) for a top-level statement, from the text's lines split once (a top-level
    statement starts at column 0 and ends at its end_col_offset, counted in UTF-8 bytes as ast counts it)."""
    if node.end_lineno is None or node.end_col_offset is None:
        return ""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset:node.end_col_offset].decode()
    head = lines[first].encode()[node.col_offset:].decode()
    tail = lines[last].encode()[:node.end_col_offset].decode()
    return head + "".join(lines[first + 1:last]) + tail
