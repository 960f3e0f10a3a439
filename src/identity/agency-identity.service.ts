import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { Sql } from '../platform/database/sql';
import { DomainError } from '../platform/errors/domain-error';
import {
  type CertificateBinding,
  checkPeerCertificate,
  decideOrganisation,
  type IdentityRefusal,
  refusalErrorCode,
} from './client-certificate.decision';
import { BindingCache } from './binding-cache';
import { CrlStore } from './crl/crl-store';
import type { CitizenIdentifiers } from './organisation.entity';
import { FIND_BINDING } from './organisation.repository';
import { type PeerCertificateFacts, peerCertificateOf } from './peer-certificate';

/** Who is calling, as proven by the TLS socket. Nothing in a header can change it. */
export interface AgencyIdentity {
  organisation: string;
  fingerprint: string;
  subject: string;
  /** Its sector: the identifiers by which it names citizens are that sector's. */
  sector: string;
  identifiers: CitizenIdentifiers;
}

@Injectable()
export class AgencyIdentityService {
  constructor(
    @Inject(CrlStore) private readonly crl: CrlStore,
    private readonly sql: Sql,
    private readonly bindings: BindingCache,
    @InjectPinoLogger('identity') private readonly logger: PinoLogger,
  ) {}

  /** Resolves the caller of an agency-listener request, or throws the refusal. */
  async identify(request: FastifyRequest): Promise<AgencyIdentity> {
    const peer = peerCertificateOf(request.raw.socket as TLSSocket);
    const certificateRefusal = checkPeerCertificate(peer, this.crl.revokedSerials, new Date());
    if (certificateRefusal !== null || peer === null) {
      throw this.refuse(certificateRefusal ?? 'no-certificate', peer, request);
    }
    const decision = decideOrganisation(await this.bindingOf(peer.fingerprint));
    if (!decision.allow) throw this.refuse(decision.reason, peer, request);
    return {
      organisation: decision.organisationId,
      fingerprint: peer.fingerprint,
      subject: peer.subject,
      sector: decision.sector,
      identifiers: decision.identifiers,
    };
  }

  /** The certificate's binding and its organisation's status: from this node's cache, or from PostgreSQL. */
  private async bindingOf(fingerprint: string): Promise<CertificateBinding | null> {
    const cached = this.bindings.get(fingerprint);
    if (cached !== undefined) return cached;
    const mark = this.bindings.mark();
    const [binding] = await this.sql.query<CertificateBinding>(FIND_BINDING, [fingerprint]);
    this.bindings.store(fingerprint, binding ?? null, mark);
    return binding ?? null;
  }

  private refuse(reason: IdentityRefusal, peer: PeerCertificateFacts | null, request: FastifyRequest): DomainError {
    this.logger.warn(
      {
        event: 'agency-refused',
        reason,
        correlationId: request.id,
        remoteAddress: request.raw.socket.remoteAddress,
        fingerprint: peer?.fingerprint,
        subject: peer?.subject,
        serialNumber: peer?.serialNumber,
        tlsError: peer?.tlsError ?? undefined,
      },
      'agency request refused',
    );
    return new DomainError(refusalErrorCode(reason));
  }
}
