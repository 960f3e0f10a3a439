import type { ApiPart } from '../platform/openapi/api-operation';
import { jsonResponse } from '../platform/openapi/api-operation';

/** Which organisation a client certificate speaks for. */
export const IDENTITY_API: ApiPart = {
  operations: [
    {
      method: 'get',
      path: '/v1/whoami',
      listener: 'agency',
      caller: 'agency',
      tag: 'agency',
      operationId: 'whoami',
      summary: 'The organisation this client certificate speaks for',
      responses: {
        '200': jsonResponse(
          'The organisation and certificate',
          {
            type: 'object',
            required: ['organisation', 'fingerprint', 'subject', 'sector', 'identifiers'],
            properties: {
              organisation: { type: 'string' },
              fingerprint: { type: 'string', description: 'SHA-256 of the certificate' },
              subject: { type: 'string' },
              sector: { type: 'string', description: 'Citizens are named by this sector’s identifiers' },
              identifiers: { type: 'string', enum: ['sector', 'pivot'] },
            },
          },
          { organisation: 'afe', fingerprint: 'a1b2…', subject: 'CN=afe', sector: 'education', identifiers: 'sector' },
        ),
      },
      errors: [],
    },
  ],
};
