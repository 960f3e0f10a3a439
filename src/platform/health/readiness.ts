import { Injectable } from '@nestjs/common';

/**
 * Whether the gateway should receive traffic: not once shutdown has begun (so
 * the load balancer stops sending before the drain), nor while a component
 * has raised an alarm that stops it serving (the audit log's head no longer
 * matching what was signed, say).
 */
@Injectable()
export class Readiness {
  private shuttingDown = false;
  private readonly alarms = new Map<string, string>();

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** `check` is down, for `reason` (a sentence without secrets or citizen data), until cleared. */
  raise(check: string, reason: string): void {
    this.alarms.set(check, reason);
  }

  clear(check: string): void {
    this.alarms.delete(check);
  }

  /** The checks that are down, and why. */
  get raised(): ReadonlyMap<string, string> {
    return this.alarms;
  }
}
