// The storage domain's operations.
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import type { storageOperations } from '../../contract/operations-storage';

export type StorageOps = keyof typeof storageOperations;

export function storageHandlers(deps: CoreDeps): Pick<Handlers, StorageOps> {
  void deps;
  return {};
}
