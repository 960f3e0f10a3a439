import { request, type Dispatcher } from 'undici';
import type { SigningKey } from '../platform/signing/signing-key';
import { signDetached } from '../platform/signing/detached-jws';
import { DESTINATION_REFUSED, refusedLiteral, type WebhookNetworks } from './webhook-destination';

/** What a receiver gets: the event, its type and when it happened. */
export interface WebhookEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * POSTs one event to an organisation's callback URL. The body is signed with
 * a detached JWS in `x-jws-signature` (verify with /.well-known/jwks.json).
 * Redirects are not followed; the attempt ends at the timeout, so a stuck
 * receiver holds only its own delivery. Resolves to an error reason, or null.
 */
export async function sendWebhook(
  url: string,
  event: WebhookEvent,
  key: SigningKey,
  options: { timeoutMs: number; networks: WebhookNetworks; dispatcher: Dispatcher },
): Promise<string | null> {
  // An address in the URL is not resolved, so the agent's guard would not see it.
  if (refusedLiteral(url, options.networks) !== undefined) return DESTINATION_REFUSED;
  const body = Buffer.from(JSON.stringify(event));
  try {
    const response = await request(url, {
      dispatcher: options.dispatcher,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-jws-signature': signDetached(body, key),
        'webhook-id': event.id,
        'user-agent': 'passerelle-webhooks',
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The receiver's answer is not read beyond its status.
    await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    return response.statusCode >= 200 && response.statusCode < 300 ? null : `HTTP ${response.statusCode}`;
  } catch (error) {
    const { name, code } = error as { name?: string; code?: string };
    if (code === 'EDESTINATION') return DESTINATION_REFUSED;
    return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : (code ?? 'connection failed');
  }
}
