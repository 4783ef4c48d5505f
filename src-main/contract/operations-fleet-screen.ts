// The Fleet screen's part of the one API contract (issue #22); its operations follow with their handlers.
export const fleetScreenOperations = {} as const;
