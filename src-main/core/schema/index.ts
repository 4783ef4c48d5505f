// The schema domain's public face: the schema browser (issue #19): the catalog as a lazy tree of schemas and their objects, one object's columns, indexes, constraints, triggers, policies, grants and DDL. Nothing outside core/schema/ imports a file of it but
// this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { schemaHandlers, type SchemaOps } from './handlers';

export type { SchemaOps };

export function schemaModule(deps: CoreDeps): DomainModule<SchemaOps> {
  return { handlers: schemaHandlers(deps) };
}
