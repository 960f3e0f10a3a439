import type { ApiPart } from '../platform/openapi/api-operation';
import { jsonResponse } from '../platform/openapi/api-operation';

/** Who a bearer token speaks for. */
export const CITIZEN_AUTH_API: ApiPart = {
  operations: [
    {
      method: 'get',
      path: '/v1/me',
      listener: 'public',
      caller: 'citizen',
      tag: 'citizen',
      operationId: 'me',
      summary: 'Who the bearer token speaks for: subject (pivot id) and roles',
      responses: {
        '200': jsonResponse(
          'The token’s subject',
          {
            type: 'object',
            required: ['subject', 'roles'],
            properties: { subject: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } } },
          },
          { subject: 'demo-citizen-1', roles: [] },
        ),
      },
      errors: [],
    },
  ],
};
