/** Sends a text message; throws SmsNotSent when the provider did not take it. */
export interface SmsSender {
  send(to: string, text: string): Promise<void>;
}

/** The provider did not take the message: `reason` is a status or a code, never the number or the text. */
export class SmsNotSent extends Error {
  constructor(readonly reason: string) {
    super(`text message not sent: ${reason}`);
    this.name = 'SmsNotSent';
  }
}

export interface HttpSmsSettings {
  url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  token: string | undefined;
  timeoutMs: number;
}

/**
 * A text-message provider reached over HTTP: `POST url` with the JSON body
 * `{ "to": "+15145550123", "text": "…" }`; any 2xx answer means it took the
 * message. The answer's body is never read, and nothing about the message is
 * logged: the caller sees a status at most.
 */
export class HttpSmsSender implements SmsSender {
  constructor(private readonly settings: HttpSmsSettings) {}

  async send(to: string, text: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.settings.token === undefined ? {} : { authorization: `Bearer ${this.settings.token}` }),
        },
        body: JSON.stringify({ to, text }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      throw new SmsNotSent(name === 'TimeoutError' ? 'timeout' : 'unreachable');
    }
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new SmsNotSent(`status ${response.status}`);
  }
}
