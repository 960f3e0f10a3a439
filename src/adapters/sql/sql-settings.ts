/**
 * Settings of the `sql` adapter: one parameterised, read-only query against
 * the source's own database, with the citizen's local id as `$1`.
 */
export interface SqlSettings {
  query: string;
}

export const SQL_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['query'],
  properties: {
    query: { type: 'string', minLength: 10, maxLength: 4000 },
  },
};

/**
 * The query must be a single SELECT whose only parameter is `$1`. The
 * connection is read-only anyway; this keeps a contract from smuggling a
 * second statement or interpolating anything but the local id.
 */
export function checkSqlSettings(settings: SqlSettings): { pointer: string; message: string }[] {
  const problems: { pointer: string; message: string }[] = [];
  const query = settings.query.trim();
  if (!/^(select|with)\s/i.test(query)) problems.push({ pointer: '/query', message: 'must be a SELECT' });
  if (query.includes(';')) problems.push({ pointer: '/query', message: 'must be a single statement without ";"' });
  const parameters = new Set(query.match(/\$\d+/g) ?? []);
  if (!parameters.has('$1') || parameters.size !== 1) {
    problems.push({ pointer: '/query', message: 'must use exactly one parameter, $1, for the local id' });
  }
  return problems;
}
