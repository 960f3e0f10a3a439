/** Settings of the `rest` adapter: a GET whose path carries the local id. */
export interface RestSettings {
  /** With a `{localId}` placeholder, e.g. `/v1/permis/{localId}/adresse`. */
  path: string;
}

export const REST_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', pattern: '^/[A-Za-z0-9._~/{}-]*\\{localId\\}[A-Za-z0-9._~/{}-]*$', maxLength: 200 },
  },
};
