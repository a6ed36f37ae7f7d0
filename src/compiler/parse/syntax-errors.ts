// Finds tree-sitter ERROR and MISSING nodes and turns them into diagnostics
// (1-based line and column, in characters). A source with any of them does not
// compile: the hosts print `FILE:LINE:COL: error: ...` and exit with status 2.
import type { Node } from 'web-tree-sitter';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { LineIndex } from './spans.js';

export function syntaxErrors(root: Node, lines: LineIndex, limit = 10): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!root.hasError) return out;
  const visit = (node: Node): void => {
    if (out.length >= limit) return;
    if (node.isMissing) {
      out.push(diagnostic('error', lines.span(node.startIndex, node.endIndex), `syntax error: missing '${node.type}'`));
      return;
    }
    if (node.type === 'ERROR') {
      // An ERROR node wraps everything tree-sitter could not place; the token it
      // stopped at, its last child, is where a person should look.
      const at = node.childCount > 0 ? node.child(node.childCount - 1)! : node;
      const snippet = at.text.split('\n')[0].slice(0, 40);
      const message = snippet ? `syntax error: unexpected '${snippet}'` : 'syntax error: invalid syntax';
      out.push(diagnostic('error', lines.span(at.startIndex, at.endIndex), message));
      return;
    }
    if (!node.hasError) return;
    for (const c of node.children) if (c) visit(c);
  };
  visit(root);
  return out;
}
