import { Injectable } from '@nestjs/common';

/** Flipped at the start of shutdown so the load balancer stops sending traffic before the drain. */
@Injectable()
export class Readiness {
  private shuttingDown = false;

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
