// The AST that isl generates, as plain typed data (discriminated unions on
// `kind`). The shim serializes isl_ast_node/isl_ast_expr to JSON in C; this
// file only types it and turns the iterator into a name.

export type AstOp =
  | 'and' | 'and_then' | 'or' | 'or_else'
  | 'max' | 'min' | 'minus' | 'add' | 'sub' | 'mul' | 'div'
  | 'fdiv_q' | 'pdiv_q' | 'pdiv_r' | 'zdiv_r'
  | 'cond' | 'select' | 'eq' | 'le' | 'lt' | 'ge' | 'gt'
  | 'call' | 'access' | 'member' | 'address_of';

export interface AstId { kind: 'id'; name: string }
export interface AstInt { kind: 'int'; value: number }
export interface AstOpExpr { kind: 'op'; op: AstOp; args: AstExpr[] }
export type AstExpr = AstId | AstInt | AstOpExpr;

export interface AstFor {
  kind: 'for';
  /** Name of the loop iterator (c0, c1, ...). */
  iterator: string;
  init: AstExpr;
  /** Loop condition, an expression in the iterator. */
  cond: AstExpr;
  /** Increment (a constant in practice). */
  inc: AstExpr;
  body: AstNode;
  /** The loop runs at most once. */
  degenerate: boolean;
  /**
   * Whether the schedule band member this loop enumerates is coincident
   * (parallel w.r.t. the coincidence constraints given to the scheduler);
   * null when built from a schedule map or outside any band.
   */
  coincident: boolean | null;
}
export interface AstIf { kind: 'if'; cond: AstExpr; then: AstNode; else: AstNode | null }
export interface AstBlock { kind: 'block'; children: AstNode[] }
export interface AstMark { kind: 'mark'; mark: string; node: AstNode }
/** A statement instance: expr is a call `S(c0, c1, ...)`. */
export interface AstUser { kind: 'user'; expr: AstExpr }
export type AstNode = AstFor | AstIf | AstBlock | AstMark | AstUser;

export interface GeneratedAst {
  root: AstNode;
  /** isl's pseudo-C rendering of the same AST (for debugging and reports). */
  c: string;
}

type RawFor = Omit<AstFor, 'iterator' | 'body'> & { iterator: AstExpr; body: RawNode };
type RawNode =
  | RawFor
  | (Omit<AstIf, 'then' | 'else'> & { then: RawNode; else: RawNode | null })
  | (Omit<AstBlock, 'children'> & { children: RawNode[] })
  | (Omit<AstMark, 'node'> & { node: RawNode })
  | AstUser;

function convert(node: RawNode): AstNode {
  switch (node.kind) {
    case 'for':
      if (node.iterator.kind !== 'id') throw new Error('isl-wasm: for iterator is not an id');
      return { ...node, iterator: node.iterator.name, body: convert(node.body) };
    case 'if':
      return { ...node, then: convert(node.then), else: node.else ? convert(node.else) : null };
    case 'block':
      return { ...node, children: node.children.map(convert) };
    case 'mark':
      return { ...node, node: convert(node.node) };
    case 'user':
      return node;
  }
}

/** Parse the shim's JSON ({root, c}) into the typed AST. */
export function parseAstJson(json: string): GeneratedAst {
  const raw = JSON.parse(json) as { root: RawNode; c: string };
  return { root: convert(raw.root), c: raw.c };
}

/** Every for loop in the AST, outermost first (pre-order). */
export function forLoops(node: AstNode): AstFor[] {
  const out: AstFor[] = [];
  const walk = (n: AstNode): void => {
    switch (n.kind) {
      case 'for': out.push(n); walk(n.body); break;
      case 'if': walk(n.then); if (n.else) walk(n.else); break;
      case 'block': n.children.forEach(walk); break;
      case 'mark': walk(n.node); break;
      case 'user': break;
    }
  };
  walk(node);
  return out;
}

/** Render an expression in C-like syntax (for messages and tests). */
export function exprToString(e: AstExpr): string {
  switch (e.kind) {
    case 'id': return e.name;
    case 'int': return String(e.value);
    case 'op': {
      const a = e.args.map(exprToString);
      const bin: Partial<Record<AstOp, string>> = {
        and: '&&', and_then: '&&', or: '||', or_else: '||', add: '+', sub: '-', mul: '*',
        div: '/', pdiv_r: '%', zdiv_r: '%', eq: '==', le: '<=', lt: '<', ge: '>=', gt: '>',
      };
      const sym = bin[e.op];
      if (sym && a.length === 2) return `(${a[0]} ${sym} ${a[1]})`;
      if (e.op === 'minus') return `(-${a[0]})`;
      if (e.op === 'call') return `${a[0]}(${a.slice(1).join(', ')})`;
      if (e.op === 'access') return `${a[0]}[${a.slice(1).join('][')}]`;
      if (e.op === 'cond' || e.op === 'select') return `(${a[0]} ? ${a[1]} : ${a[2]})`;
      return `${e.op}(${a.join(', ')})`;
    }
  }
}
