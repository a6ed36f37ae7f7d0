// Converts a tree-sitter-python syntax tree into Polyray's typed AST. Top-level
// functions are converted statement by statement; anything outside the subset
// is recorded as `unsupported` on the function (it keeps only its original
// version) rather than being an error. Other top-level statements are kept as
// source spans and copied verbatim by code generation.
import type { Node } from 'web-tree-sitter';
import type {
  BinaryOperator,
  CompareOperator,
  Expr,
  FunctionDef,
  ImportBinding,
  Keyword,
  Module,
  Param,
  RangeArgs,
  Stmt,
  TopLevel,
  Unsupported,
} from './ast.js';
import { LineIndex } from './spans.js';
import { boundNames } from './bound-names.js';
import { unpackAssignment } from './unpack.js';
import { chainedAssignment } from './chained.js';
import { shapeAssignments } from './shape-set.js';
import { moduleConstants } from './constants.js';
import { moduleTypeAliases } from './type-aliases.js';
import { iterationOf, reversedRange } from './iteration.js';
import { walkStmts } from './ast.js';
import { liftNested, type NestedDef } from './nested.js';
import type { Span } from '../diagnostics.js';

const BINARY_OPERATORS = new Set(['+', '-', '*', '/', '//', '%', '**', '@', '&', '|', '^', '<<', '>>']);
const COMPARE_OPERATORS = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** Raised inside a function body when a construct is outside the subset. */
class OutsideSubset extends Error {
  constructor(readonly span: Span, message: string) {
    super(message);
  }
}

export function convertModule(root: Node, source: string): Module {
  const lines = new LineIndex(source);
  const conv = new Converter(lines, source);
  const body: TopLevel[] = [];
  const imports: ImportBinding[] = [];
  for (const child of root.namedChildren) {
    if (!child) continue;
    if (child.type === 'function_definition' && !hasAsync(child)) {
      conv.taken.add(child.childForFieldName('name')?.text ?? '');
    }
  }
  for (const child of root.namedChildren) {
    if (!child) continue;
    if (child.type === 'function_definition' && !hasAsync(child)) {
      body.push(conv.functionDef(child));
      continue;
    }
    if (child.type === 'import_statement' || child.type === 'import_from_statement') {
      imports.push(...importBindings(child));
    }
    if (child.type === 'comment') continue;
    body.push({ kind: 'other', span: lines.span(child.startIndex, child.endIndex) });
  }
  return { kind: 'module', source, body, imports, constants: moduleConstants(root), typeAliases: moduleTypeAliases(root, (n) => conv.expr(n)), lifted: conv.lifted };
}

function hasAsync(node: Node): boolean {
  return node.children.some((c) => c?.type === 'async');
}

/** Names bound by `import a.b as c`, `import a`, `from a import b as c`. */
function importBindings(node: Node): ImportBinding[] {
  const out: ImportBinding[] = [];
  if (node.type === 'import_statement') {
    for (const n of node.namedChildren) {
      if (!n) continue;
      if (n.type === 'aliased_import') {
        const name = n.childForFieldName('name')?.text ?? '';
        const alias = n.childForFieldName('alias')?.text ?? '';
        out.push({ local: alias, qualified: name });
      } else if (n.type === 'dotted_name') {
        // `import numpy.typing` binds `numpy`.
        const first = n.text.split('.')[0];
        out.push({ local: first, qualified: first });
      }
    }
    return out;
  }
  const moduleName = node.childForFieldName('module_name')?.text ?? '';
  for (const n of node.childrenForFieldName('name')) {
    if (!n) continue;
    if (n.type === 'aliased_import') {
      const name = n.childForFieldName('name')?.text ?? '';
      const alias = n.childForFieldName('alias')?.text ?? '';
      out.push({ local: alias, qualified: `${moduleName}.${name}` });
    } else {
      out.push({ local: n.text, qualified: `${moduleName}.${n.text}` });
    }
  }
  return out;
}

class Converter {
  /** The text of the function being converted and how many temporaries it has (see freshName). */
  private fnText = '';
  private temps = 0;
  /** Module-level names (lifted helpers avoid them) and the nested defs lifted so far (parse/nested.ts). */
  readonly taken = new Set<string>();
  readonly lifted: FunctionDef[] = [];
  /** How deep in nested defs the conversion is: a def inside a nested def is refused (it would capture two levels). */
  private depth = 0;

  constructor(private readonly lines: LineIndex, private readonly source: string) {}

  /** A local name the function's text does not contain, for the temporaries of unpacking. */
  freshName(prefix = '__unpacked'): string {
    for (;;) {
      const name = `${prefix}${this.temps++}`;
      if (!this.fnText.includes(name)) return name;
    }
  }

  span(node: Node): Span {
    return this.lines.span(node.startIndex, node.endIndex);
  }

  functionDef(node: Node): FunctionDef {
    const nameNode = node.childForFieldName('name')!;
    const paramsNode = node.childForFieldName('parameters')!;
    const returnsNode = node.childForFieldName('return_type');
    const bodyNode = node.childForFieldName('body')!;
    const saved = { fnText: this.fnText, temps: this.temps };
    this.fnText = node.text;
    this.temps = 0;
    const unsupported: Unsupported[] = [];
    const params: Param[] = [];
    for (const p of paramsNode.namedChildren) {
      if (!p || p.type === 'comment') continue;
      try {
        params.push(this.param(p));
      } catch (e) {
        if (e instanceof OutsideSubset) unsupported.push({ span: e.span, message: e.message });
        else throw e;
      }
    }
    let returns: Expr | null = null;
    let body: Stmt[] = [];
    try {
      returns = returnsNode ? this.returnHint(returnsNode) : null;
      const nested: NestedDef[] = [];
      body = this.block(bodyNode, unsupported, this.depth === 0 ? nested : undefined);
      if (nested.length > 0) {
        // nested defs become module-level helpers taking what they capture (parse/nested.ts)
        const out = liftNested({ name: nameNode.text, params: params.map((p) => p.name), body, unsupported }, nested, this.taken);
        body = out.body;
        this.lifted.push(...out.lifted);
        unsupported.push(...out.refused);
      }
      // `X.shape = s` as a reshape under a new name (parse/shape-set.ts)
      const shaped = shapeAssignments(body, new Set(params.map((p) => p.name)), (prefix) => this.freshName(prefix));
      body = shaped.body;
      unsupported.push(...shaped.refused);
    } catch (e) {
      if (e instanceof OutsideSubset) unsupported.push({ span: e.span, message: e.message });
      else throw e;
    }
    this.fnText = saved.fnText;
    this.temps = saved.temps;
    return {
      kind: 'function',
      name: nameNode.text,
      nameSpan: this.span(nameNode),
      span: this.span(node),
      params,
      returns,
      paramsText: paramsNode.text,
      returnsText: returnsNode ? returnsNode.text : null,
      body,
      forLoops: node.descendantsOfType('for_statement').filter((n): n is Node => !!n).map((n) => ({
        span: this.span(n),
        variable: n.childForFieldName('left')?.text ?? '?',
      })),
      unsupported,
    };
  }

  /**
   * The return hint as an expression, or null where it is no expression
   * (`-> tuple[float, float]` is a generic type): nothing after parsing reads
   * it, the wrapper copies its text, so it never keeps a function original.
   */
  returnHint(node: Node): Expr | null {
    try {
      return this.expr(unwrapType(node));
    } catch (e) {
      if (e instanceof OutsideSubset) return null;
      throw e;
    }
  }

  param(p: Node): Param {
    const span = this.span(p);
    switch (p.type) {
      case 'identifier':
        return { name: p.text, annotation: null, defaultText: null, span };
      case 'typed_parameter': {
        const nameNode = p.namedChildren.find((c) => c?.type === 'identifier');
        if (!nameNode) throw new OutsideSubset(span, `parameter form '${p.text}' is not supported`);
        return { name: nameNode.text, annotation: this.expr(unwrapType(p.childForFieldName('type')!)), defaultText: null, span };
      }
      case 'default_parameter':
        return { name: p.childForFieldName('name')!.text, annotation: null, defaultText: p.childForFieldName('value')!.text, span };
      case 'typed_default_parameter':
        return {
          name: p.childForFieldName('name')!.text,
          annotation: this.expr(unwrapType(p.childForFieldName('type')!)),
          defaultText: p.childForFieldName('value')!.text,
          span,
        };
      default:
        throw new OutsideSubset(span, `parameter form '${p.text}' (*args, **kwargs, / or *) is not supported`);
    }
  }

  /**
   * Converts a block; an unsupported statement is recorded and conversion goes
   * on. `nested` (the function's own body only) collects its plain nested defs.
   */
  block(node: Node, unsupported: Unsupported[], nested?: NestedDef[]): Stmt[] {
    const out: Stmt[] = [];
    for (const s of node.namedChildren) {
      if (!s || s.type === 'comment') continue;
      try {
        if (s.type === 'function_definition' || s.type === 'decorated_definition') {
          if (!nested) throw new OutsideSubset(this.span(s), "a 'def' inside a loop, a branch or another nested function is not supported");
          if (s.type === 'decorated_definition') throw new OutsideSubset(this.span(s), 'a decorated nested function is not supported');
          if (hasAsync(s)) throw new OutsideSubset(this.span(s), "a nested 'async def' is not supported");
          this.depth++;
          try {
            nested.push({ fn: this.functionDef(s), at: out.length });
          } finally {
            this.depth--;
          }
          continue;
        }
        out.push(...this.stmt(s, unsupported));
      } catch (e) {
        if (e instanceof OutsideSubset) unsupported.push({ span: e.span, message: e.message, binds: boundNames(s) });
        else throw e;
      }
    }
    return out;
  }

  stmt(node: Node, unsupported: Unsupported[]): Stmt[] {
    const span = this.span(node);
    switch (node.type) {
      case 'expression_statement': {
        const parts = node.namedChildren.filter((c): c is Node => !!c);
        if (parts.length !== 1) throw new OutsideSubset(span, 'tuple expression statements are not supported');
        const left = parts[0].type === 'assignment' ? parts[0].childForFieldName('left') : null;
        if (left && (left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'list_pattern')) {
          return this.unpack(parts[0], left, span);
        }
        if (left && parts[0].childForFieldName('right')?.type === 'assignment') return this.chained(parts[0], span);
        return [this.exprStatement(parts[0], span)];
      }
      case 'return_statement': {
        const value = node.namedChildren.find((c) => c && c.type !== 'comment');
        return [{ kind: 'return', span, value: value ? this.expr(value) : null }];
      }
      case 'pass_statement':
        return [{ kind: 'pass', span }];
      case 'break_statement':
        return [{ kind: 'break', span }];
      case 'continue_statement':
        return [{ kind: 'continue', span }];
      case 'for_statement':
        return this.forStmt(node, unsupported);
      case 'if_statement':
        return [this.ifStmt(node, unsupported)];
      case 'while_statement':
        if (node.childForFieldName('alternative')) throw new OutsideSubset(span, "'while ... else' is not supported");
        return [{ kind: 'while', span, test: this.expr(node.childForFieldName('condition')!), body: this.block(node.childForFieldName('body')!, unsupported) }];
      default:
        throw new OutsideSubset(span, `'${firstWord(node)}' statements are not supported`);
    }
  }

  exprStatement(node: Node, span: Span): Stmt {
    if (node.type === 'assignment') {
      const right = node.childForFieldName('right');
      const left = node.childForFieldName('left')!;
      const type = node.childForFieldName('type');
      if (!right) throw new OutsideSubset(span, 'annotated declarations without a value are not supported');
      if (right.type === 'assignment') throw new OutsideSubset(span, 'chained assignment is not supported');
      return { kind: 'assign', span, target: this.expr(left), value: this.expr(right), annotation: type ? this.expr(unwrapType(type)) : null };
    }
    if (node.type === 'augmented_assignment') {
      const opText = node.childForFieldName('operator')!.text;
      const op = opText.slice(0, -1);
      if (!BINARY_OPERATORS.has(op)) throw new OutsideSubset(span, `operator '${opText}' is not supported`);
      return {
        kind: 'augassign',
        span,
        target: this.expr(node.childForFieldName('left')!),
        op: op as BinaryOperator,
        value: this.expr(node.childForFieldName('right')!),
      };
    }
    return { kind: 'expr', span, value: this.expr(node) };
  }

  /** `a = b = E` as plain assignments (parse/chained.ts); unpacking or annotated targets in a chain stay outside. */
  chained(node: Node, span: Span): Stmt[] {
    const targets: Node[] = [];
    let value: Node = node;
    while (value.type === 'assignment') {
      const left = value.childForFieldName('left')!;
      const right = value.childForFieldName('right');
      if (value.childForFieldName('type') || !right) throw new OutsideSubset(span, 'an annotated target in a chained assignment is not supported');
      if (['pattern_list', 'tuple_pattern', 'list_pattern'].includes(left.type)) throw new OutsideSubset(span, 'unpacking in a chained assignment (`a = b, c = ...`) is not supported');
      targets.push(left);
      value = right;
    }
    return chainedAssignment(span, targets.map((t) => this.expr(t)), this.expr(value), () => this.freshName());
  }

  /**
   * `a, b = ...` as plain assignments (parse/unpack.ts says which); every
   * statement it gives spans the original one. Starred and nested targets stay
   * outside the subset, with one diagnostic for the whole statement.
   */
  unpack(node: Node, left: Node, span: Span): Stmt[] {
    if (node.childForFieldName('type')) throw new OutsideSubset(span, 'an annotated tuple target is not supported');
    const right = node.childForFieldName('right')!;
    if (right.type === 'assignment') throw new OutsideSubset(span, 'chained assignment is not supported');
    const targets = left.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    for (const t of targets) {
      if (t.type === 'list_splat_pattern' || t.type === 'list_splat') throw new OutsideSubset(span, 'starred unpacking targets (`a, *b = ...`) are not supported');
      if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list'].includes(t.type)) throw new OutsideSubset(span, 'nested unpacking targets (`(a, b), c = ...`) are not supported');
    }
    let inner = right;
    while (inner.type === 'parenthesized_expression') {
      const c = inner.namedChildren.find((x) => x && x.type !== 'comment');
      if (!c) break;
      inner = c;
    }
    const isTuple = inner.type === 'expression_list' || inner.type === 'tuple';
    const values = isTuple ? inner.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
    if (values.some((v) => v.type === 'list_splat')) throw new OutsideSubset(span, 'starred values in an unpacked tuple are not supported');
    const result = unpackAssignment(
      span,
      targets.map((t) => this.expr(t)),
      isTuple ? { kind: 'tuple', exprs: values.map((v) => this.expr(v)) } : { kind: 'value', expr: this.expr(right) },
      () => this.freshName(),
    );
    if (typeof result === 'string') throw new OutsideSubset(span, result);
    return result;
  }

  /**
   * A `for` loop: over `range(...)` as it is; over `reversed(range(...))`,
   * `enumerate()`, `zip()` or an array as the range loop it means
   * (parse/iteration.ts), after the statements that hold its iterables.
   */
  forStmt(node: Node, unsupported: Unsupported[]): Stmt[] {
    const span = this.span(node);
    if (hasAsync(node)) throw new OutsideSubset(span, "'async for' is not supported");
    if (node.childForFieldName('alternative')) throw new OutsideSubset(span, "'for ... else' is not supported");
    const left = node.childForFieldName('left')!;
    const right = unparenthesized(node.childForFieldName('right')!);
    const rangeCall = (n: Node): boolean => n.type === 'call' && n.childForFieldName('function')?.type === 'identifier' && n.childForFieldName('function')?.text === 'range';
    const reversedOf = right.type === 'call' && right.childForFieldName('function')?.text === 'reversed' ? callArgs(right) : null;
    if (rangeCall(right) || (reversedOf && reversedOf.length === 1 && rangeCall(unparenthesized(reversedOf[0])))) {
      if (left.type !== 'identifier') throw new OutsideSubset(this.span(left), 'a loop over range(...) must bind a single name');
      let range = this.rangeArgs(reversedOf ? unparenthesized(reversedOf[0]) : right);
      if (reversedOf) {
        const r = reversedRange(range, this.span(right));
        if (typeof r === 'string') throw new OutsideSubset(this.span(right), r);
        range = r;
      }
      return [{ kind: 'for', span, target: { kind: 'name', span: this.span(left), id: left.text }, range, body: this.block(node.childForFieldName('body')!, unsupported) }];
    }
    if (['list', 'list_comprehension', 'set', 'set_comprehension', 'dictionary', 'dictionary_comprehension', 'generator_expression', 'string', 'concatenated_string'].includes(right.type)) {
      throw new OutsideSubset(this.span(right), `loops over a ${right.type.replace(/_/g, ' ')} are not supported (only range(), reversed(range()), enumerate(), zip() and arrays)`);
    }
    const target = this.loopTarget(left);
    const iter = this.expr(right);
    const before = unsupported.length;
    const body = this.block(node.childForFieldName('body')!, unsupported);
    const boundInBody = new Set<string>(unsupported.slice(before).flatMap((u) => u.binds ?? []));
    walkStmts(body, (s) => {
      if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') boundInBody.add(s.target.id);
      if (s.kind === 'for') boundInBody.add(s.target.id);
    });
    const it = iterationOf(target, iter, {
      fresh: (prefix) => this.freshName(prefix),
      boundInBody,
      unpack: (at, names, value) => unpackAssignment(at, names, { kind: 'value', expr: value }, () => this.freshName()),
    });
    if (typeof it === 'string') throw new OutsideSubset(span, it);
    return [...it.before, { kind: 'for', span, target: it.counter, label: left.text, range: it.range, body: [...it.prologue, ...body] }];
  }

  /** `x`, or `a, b` / `(a, b)` / `i, (a, b)`: names, possibly in tuples. */
  loopTarget(node: Node): Expr {
    if (node.type === 'identifier') return this.expr(node);
    if (['pattern_list', 'tuple_pattern', 'list_pattern'].includes(node.type)) {
      const parts = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      return { kind: 'tuple', span: this.span(node), elts: parts.map((p) => this.loopTarget(p)) };
    }
    throw new OutsideSubset(this.span(node), 'a for loop must bind names (not elements, attributes or starred names)');
  }

  rangeArgs(node: Node): RangeArgs {
    const span = this.span(node);
    const call = node.type === 'call' ? node : null;
    const fn = call?.childForFieldName('function');
    if (!call || !fn || fn.type !== 'identifier' || fn.text !== 'range') {
      throw new OutsideSubset(span, 'only loops over range(...) are supported');
    }
    const args = call.childForFieldName('arguments')!.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (args.some((a) => a.type === 'keyword_argument' || a.type === 'list_splat' || a.type === 'dictionary_splat')) {
      throw new OutsideSubset(span, 'range() takes positional arguments only');
    }
    const exprs = args.map((a) => this.expr(a));
    if (exprs.length === 1) return { start: null, stop: exprs[0], step: null };
    if (exprs.length === 2) return { start: exprs[0], stop: exprs[1], step: null };
    if (exprs.length === 3) return { start: exprs[0], stop: exprs[1], step: exprs[2] };
    throw new OutsideSubset(span, 'range() takes 1 to 3 arguments');
  }

  ifStmt(node: Node, unsupported: Unsupported[]): Stmt {
    const span = this.span(node);
    const test = this.expr(node.childForFieldName('condition')!);
    const body = this.block(node.childForFieldName('consequence')!, unsupported);
    // elif chains become nested if/else, in order.
    const alternatives = node.childrenForFieldName('alternative').filter((c): c is Node => !!c);
    const orelse = this.elseChain(alternatives, unsupported);
    return { kind: 'if', span, test, body, orelse };
  }

  elseChain(alts: Node[], unsupported: Unsupported[]): Stmt[] {
    if (alts.length === 0) return [];
    const [first, ...rest] = alts;
    if (first.type === 'else_clause') return this.block(first.childForFieldName('body')!, unsupported);
    const span = this.lines.span(first.startIndex, alts[alts.length - 1].endIndex);
    return [
      {
        kind: 'if',
        span,
        test: this.expr(first.childForFieldName('condition')!),
        body: this.block(first.childForFieldName('consequence')!, unsupported),
        orelse: this.elseChain(rest, unsupported),
      },
    ];
  }

  expr(node: Node): Expr {
    const span = this.span(node);
    switch (node.type) {
      case 'identifier':
        return { kind: 'name', span, id: node.text };
      case 'integer': {
        const isComplex = /[jJ]$/.test(node.text);
        return { kind: 'number', span, text: node.text, numberKind: isComplex ? 'complex' : 'int' };
      }
      case 'float': {
        const isComplex = /[jJ]$/.test(node.text);
        return { kind: 'number', span, text: node.text, numberKind: isComplex ? 'complex' : 'float' };
      }
      case 'true':
        return { kind: 'const', span, value: 'True' };
      case 'false':
        return { kind: 'const', span, value: 'False' };
      case 'none':
        return { kind: 'const', span, value: 'None' };
      case 'string':
      case 'concatenated_string':
        if (node.descendantsOfType('interpolation').length > 0) throw new OutsideSubset(span, 'f-strings are not supported');
        return { kind: 'string', span, text: node.text };
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        if (!inner) throw new OutsideSubset(span, 'empty parentheses');
        return this.expr(inner);
      }
      case 'binary_operator': {
        const op = node.childForFieldName('operator')!.text;
        if (!BINARY_OPERATORS.has(op)) throw new OutsideSubset(span, `operator '${op}' is not supported`);
        return { kind: 'binary', span, op: op as BinaryOperator, left: this.expr(node.childForFieldName('left')!), right: this.expr(node.childForFieldName('right')!) };
      }
      case 'unary_operator': {
        const op = node.childForFieldName('operator')!.text as '-' | '+' | '~';
        return { kind: 'unary', span, op, operand: this.expr(node.childForFieldName('argument')!) };
      }
      case 'not_operator':
        return { kind: 'unary', span, op: 'not', operand: this.expr(node.childForFieldName('argument')!) };
      case 'boolean_operator': {
        const op = node.childForFieldName('operator')!.text as 'and' | 'or';
        return { kind: 'boolop', span, op, left: this.expr(node.childForFieldName('left')!), right: this.expr(node.childForFieldName('right')!) };
      }
      case 'comparison_operator':
        return this.comparison(node, span);
      case 'call':
        return this.call(node, span);
      case 'attribute':
        return { kind: 'attribute', span, value: this.expr(node.childForFieldName('object')!), attr: node.childForFieldName('attribute')!.text };
      case 'subscript': {
        const indices = node.childrenForFieldName('subscript').filter((c): c is Node => !!c).map((c) => this.expr(c));
        return { kind: 'subscript', span, value: this.expr(node.childForFieldName('value')!), indices };
      }
      case 'slice':
        return this.slice(node, span);
      case 'expression_list': // `return a, b`
      case 'tuple':
        return { kind: 'tuple', span, elts: node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => this.expr(c)) };
      case 'conditional_expression': {
        const [body, test, orelse] = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        return { kind: 'ifexp', span, body: this.expr(body), test: this.expr(test), orelse: this.expr(orelse) };
      }
      default:
        throw new OutsideSubset(span, `'${node.type.replace(/_/g, ' ')}' expressions are not supported`);
    }
  }

  comparison(node: Node, span: Span): Expr {
    const operands: Expr[] = [];
    const ops: CompareOperator[] = [];
    let pendingOp = '';
    for (const c of node.children) {
      if (!c) continue;
      if (c.isNamed) {
        if (c.type === 'comment') continue;
        if (pendingOp) {
          if (!COMPARE_OPERATORS.has(pendingOp)) throw new OutsideSubset(span, `comparison '${pendingOp}' is not supported`);
          ops.push(pendingOp as CompareOperator);
          pendingOp = '';
        }
        operands.push(this.expr(c));
      } else {
        pendingOp = pendingOp ? `${pendingOp} ${c.type}` : c.type;
      }
    }
    return { kind: 'compare', span, left: operands[0], ops, comparators: operands.slice(1) };
  }

  call(node: Node, span: Span): Expr {
    const argsNode = node.childForFieldName('arguments')!;
    if (argsNode.type === 'generator_expression') throw new OutsideSubset(span, 'generator expressions are not supported');
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    // a shape written as a list (`np.empty([n, m])`): NumPy takes it as the tuple
    const fnNode = node.childForFieldName('function')!;
    const fnName = fnNode.type === 'attribute' ? fnNode.childForFieldName('attribute')!.text : '';
    const shapeCall = SHAPE_FUNCTIONS.has(fnName);
    const arg = (a: Node): Expr => (shapeCall && a.type === 'list' ? this.listAsTuple(a) : this.expr(a));
    // arrays joined from a list display (`np.concatenate([a, b])`, `np.array([[x, y], [y, x]])`):
    // NumPy takes a list as the tuple; Numba only a tuple
    const sequenceCall = SEQUENCE_FUNCTIONS.has(fnName);
    for (const a of argsNode.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (sequenceCall && args.length === 0 && keywords.length === 0 && a.type === 'list') {
        args.push(this.listAsTuple(a, fnName === 'array'));
        continue;
      }
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')!.text;
        const value = a.childForFieldName('value')!;
        keywords.push({ name, value: name === 'shape' || name === 'newshape' ? arg(value) : this.expr(value) });
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        throw new OutsideSubset(this.span(a), '*args and **kwargs in calls are not supported');
      } else {
        args.push(arg(a));
      }
    }
    return { kind: 'call', span, func: this.expr(node.childForFieldName('function')!), args, keywords };
  }

  /** A list display of plain elements as a tuple (no starred element, no comprehension); `nested`: lists inside too (np.array's rows). */
  listAsTuple(node: Node, nested = false): Expr {
    const elts = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (elts.some((c) => c.type === 'list_splat')) throw new OutsideSubset(this.span(node), 'starred elements in a list argument are not supported');
    return { kind: 'tuple', span: this.span(node), elts: elts.map((c) => (nested && c.type === 'list' ? this.listAsTuple(c, true) : this.expr(c))) };
  }

  slice(node: Node, span: Span): Expr {
    const parts: (Expr | null)[] = [null, null, null];
    let slot = 0;
    for (const c of node.children) {
      if (!c) continue;
      if (!c.isNamed && c.type === ':') slot++;
      else if (c.isNamed && c.type !== 'comment') parts[slot] = this.expr(c);
    }
    return { kind: 'slice', span, lower: parts[0], upper: parts[1], step: parts[2] };
  }
}

/** NumPy functions and methods whose shape argument may be written as a list (`np.zeros([n, m])`, `a.reshape([n, -1])`). */
const SHAPE_FUNCTIONS: ReadonlySet<string> = new Set(['empty', 'zeros', 'ones', 'full', 'reshape']);

/**
 * NumPy functions whose first argument is a sequence NumPy reads the same as a
 * list or a tuple: a list display there becomes the tuple Numba wants.
 */
const SEQUENCE_FUNCTIONS: ReadonlySet<string> = new Set(['concatenate', 'hstack', 'vstack', 'stack', 'column_stack', 'dstack', 'array']);

function unwrapType(node: Node): Node {
  if (node.type === 'type') {
    const inner = node.namedChildren.find((c) => !!c);
    if (inner) return inner;
  }
  return node;
}

function unparenthesized(node: Node): Node {
  let inner = node;
  while (inner.type === 'parenthesized_expression') {
    const c = inner.namedChildren.find((x) => x && x.type !== 'comment');
    if (!c) break;
    inner = c;
  }
  return inner;
}

function callArgs(call: Node): Node[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
}

function firstWord(node: Node): string {
  return node.text.split(/\s|:|\(/)[0] || node.type;
}
