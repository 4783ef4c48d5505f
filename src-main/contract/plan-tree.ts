// Walking an EXPLAIN tree (PlanNode): the plan view ranks and folds nodes with it, the
// tests read plans with it. Pure, like the rest of the contract.
import type { PlanNode } from './models';

/** Every node of a tree, depth-first (the same order as the ids). */
export function flattenPlan(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const walk = (node: PlanNode): void => {
    out.push(node);
    node.children.forEach(walk);
  };
  walk(root);
  return out;
}
