import { Body, Controller, Delete, Get, HttpCode, Inject, Put } from '@nestjs/common';
import { AgencyCaller } from '../identity/agency-caller.decorator';
import type { AgencyIdentity } from '../identity/agency-identity.service';
import type { NotificationsConfig } from '../platform/config/config';
import { DomainError } from '../platform/errors/domain-error';
import { ServedOn } from '../platform/http/listener';
import { NOTIFICATIONS_CONFIG } from './notifications.tokens';
import { NotificationRepository } from './notification.repository';
import { refusedLiteral } from './webhook-destination';

/** The calling organisation's callback URL for consent events (mutual TLS). */
@ServedOn('agency')
@Controller('v1/webhook')
export class WebhookController {
  constructor(
    private readonly repository: NotificationRepository,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
  ) {}

  @Get()
  async get(@AgencyCaller() caller: AgencyIdentity): Promise<{ organisation: string; url: string }> {
    const url = await this.repository.getWebhook(caller.organisation);
    if (url === undefined) throw new DomainError('not-found');
    return { organisation: caller.organisation, url };
  }

  @Put()
  async put(
    @AgencyCaller() caller: AgencyIdentity,
    @Body() body: unknown,
  ): Promise<{ organisation: string; url: string }> {
    const url = this.parseUrl(body);
    await this.repository.setWebhook(caller.organisation, url);
    return { organisation: caller.organisation, url };
  }

  @Delete()
  @HttpCode(204)
  async remove(@AgencyCaller() caller: AgencyIdentity): Promise<void> {
    await this.repository.deleteWebhook(caller.organisation);
  }

  private parseUrl(body: unknown): string {
    const raw = (body as { url?: unknown } | null)?.url;
    const problem = (message: string): DomainError =>
      new DomainError('invalid-request', 'The callback URL is not acceptable', {
        extensions: { errors: [{ pointer: '/url', message }] },
      });
    if (typeof raw !== 'string' || raw.length > 2048) throw problem('must be a URL of at most 2048 characters');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw problem('must be an absolute URL');
    }
    const allowed = this.config.allowHttpWebhooks ? ['https:', 'http:'] : ['https:'];
    if (!allowed.includes(url.protocol)) throw problem(`must use ${allowed.join(' or ')}`);
    if (url.username !== '' || url.password !== '') throw problem('must not carry credentials');
    // A host name is checked when it is resolved, at each delivery.
    if (refusedLiteral(url.toString(), this.config.webhookNetworks) !== undefined) {
      throw problem('must not point to a loopback, private, link-local or reserved address');
    }
    return url.toString();
  }
}
