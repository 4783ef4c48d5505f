// The offsite domain's operations.
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import type { offsiteOperations } from '../../contract/operations-offsite';

export type OffsiteOps = keyof typeof offsiteOperations;

export function offsiteHandlers(deps: CoreDeps): Pick<Handlers, OffsiteOps> {
  void deps;
  return {};
}
