// A schedule tree as plain typed data (the shim serializes it in C). Nodes
// are addressed by paths: the child positions followed from the root.

interface Base { children: ScheduleTreeNode[] }
export interface DomainNode extends Base { kind: 'domain'; domain: string }
export interface BandNode extends Base {
  kind: 'band';
  /** Partial schedule as an isl multi_union_pw_aff string. */
  schedule: string;
  permutable: boolean;
  /** One flag per band member. */
  coincident: boolean[];
}
export interface FilterNode extends Base { kind: 'filter'; filter: string }
export interface SequenceNode extends Base { kind: 'sequence' }
export interface SetNode extends Base { kind: 'set' }
export interface MarkNode extends Base { kind: 'mark'; mark: string }
export interface ContextNode extends Base { kind: 'context'; context: string }
export interface GuardNode extends Base { kind: 'guard'; guard: string }
export interface ExtensionNode extends Base { kind: 'extension'; extension: string }
export interface ExpansionNode extends Base { kind: 'expansion'; expansion: string }
export interface LeafNode extends Base { kind: 'leaf' }
export type ScheduleTreeNode =
  | DomainNode | BandNode | FilterNode | SequenceNode | SetNode | MarkNode
  | ContextNode | GuardNode | ExtensionNode | ExpansionNode | LeafNode;

/** Child positions from the root to a node. */
export type TreePath = readonly number[];

/** Every band of the tree with its path, in pre-order. */
export function bandsOf(root: ScheduleTreeNode): { path: number[]; band: BandNode }[] {
  const out: { path: number[]; band: BandNode }[] = [];
  const walk = (n: ScheduleTreeNode, path: number[]): void => {
    if (n.kind === 'band') out.push({ path, band: n });
    n.children.forEach((c, i) => walk(c, [...path, i]));
  };
  walk(root, []);
  return out;
}
