// The schema domain's operations: each resolves the profile and reads (schema browser, issue #19).
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import type { schemaOperations } from '../../contract/operations-schema';
import { getObjectDdl } from './ddl';
import { getSchemaObject } from './details';
import { getSchemaTree, listSchemaObjects } from './tree';

export type SchemaOps = keyof typeof schemaOperations;

export function schemaHandlers(deps: CoreDeps): Pick<Handlers, SchemaOps> {
  return {
    getSchemaTree: function getSchemaTreeHandler(input) {
      return getSchemaTree(deps, deps.profiles.require(input.profileId), input.password, input.showSystem);
    },
    listSchemaObjects: function listSchemaObjectsHandler(input) {
      const { profileId, password, ...page } = input;
      return listSchemaObjects(deps, deps.profiles.require(profileId), password, page);
    },
    getSchemaObject: function getSchemaObjectHandler(input) {
      return getSchemaObject(deps, deps.profiles.require(input.profileId), input.password, input.oid, input.kind);
    },
    getObjectDdl: function getObjectDdlHandler(input) {
      return getObjectDdl(deps, deps.profiles.require(input.profileId), input.password, input.oid, input.kind);
    },
  };
}
