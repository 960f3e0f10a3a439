import type { AgencyResponse } from './agency-client';
import { bearer, citizenToken } from './citizen-tokens';

export interface GrantTerms {
  requester: string;
  purpose: string;
  products: string[];
  mode?: 'one-time' | 'ongoing';
  keepUpToDate?: boolean;
}

/** The citizen grants a consent through the citizen API, as the README's first calls do. */
export async function grantConsent(publicUrl: string, citizen: string, terms: GrantTerms): Promise<Response> {
  return fetch(`${publicUrl}/v1/me/consents`, {
    method: 'POST',
    headers: { ...bearer(await citizenToken(citizen)), 'content-type': 'application/json' },
    body: JSON.stringify(terms),
  });
}

/** The citizen grants a consent, which must be accepted: its id. */
export async function grantedConsentId(publicUrl: string, citizen: string, terms: GrantTerms): Promise<string> {
  const response = await grantConsent(publicUrl, citizen, terms);
  if (response.status !== 201) throw new Error(`the grant answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** A response body as JSON, or undefined when it is not JSON. */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A call on the public listener, read into the same shape as the agency client's answers. */
export async function fetchAnswer(url: string, init: RequestInit): Promise<AgencyResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: jsonOrUndefined(text),
    text,
  };
}
