/**
 * The floor as a server, in a process of its own as the gateway is: Nest on
 * Fastify over mutual TLS (the stack the gateway runs), one controller, one
 * route, the request's work of floor-work.ts and nothing around it (no
 * logger, guards, interceptors, filters of its own, metrics or tracing).
 *
 * Started by floor-process.ts with fork(); it receives its PKI and database
 * over IPC (nothing in files or the environment), answers with its port, and
 * ends on 'exit'.
 */
import 'reflect-metadata';
import { Controller, Get, Module, Res, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { FloorPki } from './floor-pki';
import { FloorWork } from './floor-work';

export interface FloorStart {
  pki: FloorPki;
  databaseUrl: string;
  consents: number;
}

export type FloorMessage = { ready: true; port: number } | { failed: string };

function floorModule(work: FloorWork): Type {
  @Controller()
  class FloorController {
    @Get('data')
    async get(@Res() reply: FastifyReply): Promise<void> {
      const answer = await work.handle();
      // Not awaited, as in the reference floor: the answer is handed to Fastify and the handler returns.
      void reply
        .code(answer.permit ? 200 : 403)
        .header('content-type', 'application/jose')
        .send(answer.body ?? '');
    }
  }
  @Module({ controllers: [FloorController] })
  class FloorModule {}
  return FloorModule;
}

async function start({ pki, databaseUrl, consents }: FloorStart): Promise<void> {
  const work = await FloorWork.open(databaseUrl, consents);
  const https = { key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true };
  const app = await NestFactory.create<NestFastifyApplication>(floorModule(work), new FastifyAdapter({ https }), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ ready: true, port } satisfies FloorMessage);
  process.on('message', (message) => {
    if (message === 'exit') void app.close().finally(() => process.exit(0));
  });
}

process.once('message', (message: FloorStart) => {
  start(message).catch((error: unknown) => {
    process.send?.({ failed: error instanceof Error ? error.message : String(error) } satisfies FloorMessage);
    process.exit(1);
  });
});
