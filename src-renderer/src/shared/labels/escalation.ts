// The runbook's escalation levels: chosen per contact on the Profiles screen and shown
// on the Activity screen's emergency panel.

/** The runbook's Escalation Matrix. */
export const ESCALATION_LEVELS = [
  { value: '1', label: 'Level 1', meaning: 'Application errors, minor performance issues' },
  { value: '2', label: 'Level 2', meaning: 'Database connectivity issues, moderate performance degradation' },
  { value: '3', label: 'Level 3', meaning: 'Complete service outage, data corruption, security breach' },
] as const;
