// The schema part of the one API contract: the schema browser (issue #19): the catalog as a lazy tree of schemas and their objects, one object's columns, indexes, constraints, triggers, policies, grants and DDL. Spread into `operations`.
export const schemaOperations = {} as const;
