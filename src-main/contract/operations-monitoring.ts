// The monitoring part of the one API contract (issue #9). The reads are polled by the
// Performance screen and change nothing, so they are not audited (the overview also stores a
// rate-limited snapshot of key figures in the local store); VACUUM is audited.
import { z } from 'zod';
import {
  historyInput,
  monitoringInput,
  topQueriesInput,
  vacuumInput,
  type AppMetrics,
  type IndexReport,
  type MetricHistory,
  type Overview,
  type TableReport,
  type TopQueries,
  type VacuumResult,
} from './monitoring';
import { capacityForecastInput, type CapacityForecast } from './forecast';
import { CONNECT_ERRORS, op } from './op';

const READ_ERRORS = [...CONNECT_ERRORS, 'QUERY_FAILED'] as const;

export const monitoringOperations = {
  /** The runbook's metrics judged against the profile's thresholds (what `ops-console health` prints). */
  getOverview: op<Overview>()({ input: monitoringInput, errors: READ_ERRORS, audit: null }),
  getTopQueries: op<TopQueries>()({ input: topQueriesInput, errors: READ_ERRORS, audit: null }),
  getIndexReport: op<IndexReport>()({ input: monitoringInput, errors: READ_ERRORS, audit: null }),
  getTableReport: op<TableReport>()({ input: monitoringInput, errors: READ_ERRORS, audit: null }),
  getAppMetrics: op<AppMetrics>()({ input: monitoringInput, errors: READ_ERRORS, audit: null }),
  /** Stored snapshots of one figure over the last hours (local store only). */
  getMetricHistory: op<MetricHistory>()({ input: historyInput, errors: ['NOT_FOUND', 'INVALID_INPUT'], audit: null }),
  /** When the profile's figures reach their thresholds at the rate the local history shows (issue #23; local store only). */
  getCapacityForecast: op<CapacityForecast>()({ input: capacityForecastInput, errors: ['NOT_FOUND', 'INVALID_INPUT'], audit: null }),
  /** VACUUM (ANALYZE) one table, with `vacuum.progress` events; FULL needs the typed name on production; refused on read-only profiles. */
  runVacuum: op<VacuumResult>()({
    input: vacuumInput,
    errors: [...READ_ERRORS, 'READ_ONLY', 'CONFIRMATION_REQUIRED'],
    audit: 'maintenance.vacuum',
  }),
} as const;

export type MonitoringInput = z.input<typeof monitoringInput>;
