import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the sequencer's gauges read when they are scraped. */
export interface SequencerState {
  /** Records past the newest signed checkpoint this node knows of; NaN while its head is unknown. */
  checkpointLag(): number;
  /** Appends are stopped by an alarm. */
  alarmed(): boolean;
  /** Seconds since this node last stored a signed checkpoint (or started). */
  checkpointAgeSeconds(): number;
}

/** The audit sequencer's metrics: the batch sizes and failures it records, and the gauges read from its state. */
export function auditMetrics(
  registry: Registry,
  state: SequencerState,
): { batchSize: Histogram; failures: Counter; batches: Counter<'path'> } {
  const registers = [registry];
  const lag: Gauge = new Gauge({
    name: 'passerelle_audit_checkpoint_lag_records',
    help: 'Records appended by this node past the newest signed checkpoint it knows of (NaN while the head is unknown)',
    registers,
    collect: () => lag.set(state.checkpointLag()),
  });
  const mismatch: Gauge = new Gauge({
    name: 'passerelle_audit_head_alarm',
    help: '1 while appends are stopped because the stored head or evidence differs from what was signed, or cannot be signed',
    registers,
    collect: () => mismatch.set(state.alarmed() ? 1 : 0),
  });
  const age: Gauge = new Gauge({
    name: 'passerelle_audit_checkpoint_age_seconds',
    help: 'Seconds since this node last stored a signed checkpoint (or started)',
    registers,
    collect: () => age.set(state.checkpointAgeSeconds()),
  });
  return {
    batchSize: new Histogram({
      name: 'passerelle_audit_batch_records',
      help: 'Records committed per audit batch (one transaction each)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 500],
      registers,
    }),
    batches: new Counter({
      name: 'passerelle_audit_batches_total',
      help: 'Audit batches committed, by path: on-head (one statement on the head this node wrote last) or observed (the stored head read and checked first, under the lock)',
      labelNames: ['path'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'passerelle_audit_append_failures_total',
      help: 'Audit records that could not be committed (their callers answered 503 and released nothing)',
      registers,
    }),
  };
}
