// The serverlog domain's operations.
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import type { serverlogOperations } from '../../contract/operations-serverlog';

export type ServerlogOps = keyof typeof serverlogOperations;

export function serverlogHandlers(deps: CoreDeps): Pick<Handlers, ServerlogOps> {
  void deps;
  return {};
}
