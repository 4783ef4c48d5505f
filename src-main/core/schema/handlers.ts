// The schema domain's operations.
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import type { schemaOperations } from '../../contract/operations-schema';

export type SchemaOps = keyof typeof schemaOperations;

export function schemaHandlers(deps: CoreDeps): Pick<Handlers, SchemaOps> {
  void deps;
  return {};
}
