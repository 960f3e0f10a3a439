/** Settings of the `soap` adapter: one SOAP 1.1 operation that takes the local id. */
export interface SoapSettings {
  /** The service's path on the endpoint. */
  path: string;
  soapAction: string;
  namespace: string;
  operation: string;
  /** The request element that carries the local id. */
  idElement: string;
  /** The answer element whose children are the record. */
  resultElement: string;
  /** The fault code (or detail code) that means "no such record". */
  notFoundFault: string;
}

const XML_NAME = '^[A-Za-z_][A-Za-z0-9._-]*$';

export const SOAP_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'soapAction', 'namespace', 'operation', 'idElement', 'resultElement', 'notFoundFault'],
  properties: {
    path: { type: 'string', pattern: '^/[A-Za-z0-9._~/-]*$', maxLength: 200 },
    soapAction: { type: 'string', minLength: 1, maxLength: 300 },
    namespace: { type: 'string', minLength: 1, maxLength: 300 },
    operation: { type: 'string', pattern: XML_NAME },
    idElement: { type: 'string', pattern: XML_NAME },
    resultElement: { type: 'string', pattern: XML_NAME },
    notFoundFault: { type: 'string', pattern: XML_NAME },
  },
};
