// The top-level statements of a cell body as tree-sitter sees them (for kernelSource).
import type { PythonParser } from '../compiler/index.js';
import type { TopLevelNode } from './magic.js';

export /** Top-level statements of the body, for kernelSource (magic.py's rule). */
function topLevel(parser: PythonParser, body: string): { nodes: TopLevelNode[]; hasError: boolean } {
  const tree = parser.parse(body);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    const nodes: TopLevelNode[] = [];
    for (const child of root.namedChildren) {
      if (!child) continue;
      const end = child.endPosition;
      const endRow = end.column === 0 && end.row > child.startPosition.row ? end.row - 1 : end.row;
      const def = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
      nodes.push({
        type: child.type,
        startRow: child.startPosition.row,
        endRow,
        definitionType: def?.type,
        isAsync: def?.type === 'function_definition' && def.child(0)?.type === 'async',
      });
    }
    return { nodes, hasError: root.hasError };
  } finally {
    tree.delete();
  }
}
