// The elevation window's limits, apart from models.ts so that the renderer's startup path
// (the header's environment band offers the default) needs no zod (issue #21, cold start).
// models.ts re-exports them: the core and the contract keep importing them from there.

/** Elevation windows: 5 minutes unless asked, never more than 30; a one-action elevation lasts at most 2. */
export const ELEVATION_DEFAULT_MINUTES = 5;
export const ELEVATION_MAX_MINUTES = 30;
export const ELEVATION_ACTION_MINUTES = 2;
