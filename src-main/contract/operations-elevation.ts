// The elevation part of the one API contract (issue #19): a read-only production profile
// elevated for one action or a short window, with the typed name and a reason, and ended
// by the user before its time. Spread into `operations`. The profile list shows the
// current elevation of each profile (Profile.elevation); the audit trail its start and end.
import { z } from 'zod';
import { ELEVATION_DEFAULT_MINUTES, ELEVATION_MAX_MINUTES, type ProfileElevation } from './models';
import { op, passwordField } from './op';

export const elevateProfileInput = z
  .object({
    profileId: z.string().min(1),
    /** The profile's name, typed. */
    confirmName: z.string(),
    reason: z.string().trim().min(3, 'say why (a few words: the incident, the ticket)').max(500),
    /** 'action': the next action that needs it, then it ends; 'window': every action until it ends. */
    mode: z.enum(['action', 'window']).default('window'),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(ELEVATION_MAX_MINUTES, `an elevation lasts at most ${ELEVATION_MAX_MINUTES} minutes`)
      .default(ELEVATION_DEFAULT_MINUTES),
  })
  .strict();
export type ElevateProfileInput = z.input<typeof elevateProfileInput>;

/** The break-glass role's password on profile create/update: undefined keeps, '' forgets. */
export const breakGlassSecretFields = { breakGlassSecret: passwordField };

export const elevationOperations = {
  /**
   * Elevates a read-only production profile. Refused (CONFLICT, saying what to do) where it
   * cannot help: a read-write profile, a non-production one, a break-glass role without a
   * password the app can find.
   */
  elevateProfile: op<ProfileElevation>()({ input: elevateProfileInput, errors: ['NOT_FOUND', 'CONFIRMATION_REQUIRED', 'CONFLICT'], audit: 'profile.elevate' }),
  /** Ends the profile's elevation now ("End now"); ended false when there was none. */
  endElevation: op<{ ended: boolean }>()({
    input: z.object({ profileId: z.string().min(1) }).strict(),
    errors: ['NOT_FOUND'],
    audit: 'profile.elevation.end',
  }),
} as const;
