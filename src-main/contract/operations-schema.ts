// The schema part of the one API contract: the schema browser (issue #19): the catalog as a
// lazy tree of schemas and their objects, one object's columns, indexes, constraints,
// triggers, policies, grants and DDL. Spread into `operations`. Every one of them only reads
// the catalog (in a READ ONLY transaction, or pg_dump --schema-only) and changes nothing, and
// the screen calls them on every click: not audited, like the Performance reports.
import { CONNECT_ERRORS, op } from './op';
import {
  listObjectsInput,
  objectDdlInput,
  objectInput,
  schemaTreeInput,
  type ObjectDdl,
  type ObjectPage,
  type SchemaObjectDetails,
  type SchemaTree,
} from './schema';

const READ_ERRORS = [...CONNECT_ERRORS, 'QUERY_FAILED'] as const;

export const schemaOperations = {
  /** Schemas (with how many objects of each group they hold), extensions and roles. */
  getSchemaTree: op<SchemaTree>()({ input: schemaTreeInput, errors: READ_ERRORS, audit: null }),
  /** One page of a schema's objects of one group, narrowed by name on the server. */
  listSchemaObjects: op<ObjectPage>()({ input: listObjectsInput, errors: READ_ERRORS, audit: null }),
  /** One object by OID: columns, indexes, constraints, triggers, policies and RLS, grants. */
  getSchemaObject: op<SchemaObjectDetails>()({ input: objectInput, errors: READ_ERRORS, audit: null }),
  /** One object's DDL: pg_dump --schema-only for relations, the catalog's functions for the rest. */
  getObjectDdl: op<ObjectDdl>()({ input: objectDdlInput, errors: [...READ_ERRORS, 'TOOL_VERSION_MISMATCH', 'BACKUP_FAILED'], audit: null }),
} as const;
