import type { SourceSpec } from '../contracts/catalogue';
import { FixedWidthAdapter } from './fixed-width/fixed-width.adapter';
import type { FixedWidthSettings } from './fixed-width/copybook-layout';
import { RestAdapter } from './rest/rest.adapter';
import type { RestSettings } from './rest/rest-settings';
import { SoapAdapter } from './soap/soap.adapter';
import type { SoapSettings } from './soap/soap-settings';
import type { SourceAdapter, SourceLimits } from './source-adapter';
import { SqlAdapter } from './sql/sql.adapter';
import type { SqlSettings } from './sql/sql-settings';

/** Chooses the adapter class a contract names. Settings were checked by the contract loader. */
export function createAdapter(source: SourceSpec, endpointUrl: string, limits: SourceLimits): SourceAdapter {
  switch (source.adapter) {
    case 'soap':
      return new SoapAdapter(source.settings as SoapSettings, endpointUrl, limits);
    case 'fixed-width':
      return new FixedWidthAdapter(source.settings as FixedWidthSettings, endpointUrl, limits);
    case 'rest':
      return new RestAdapter(source.settings as RestSettings, endpointUrl, limits);
    case 'sql':
      return new SqlAdapter(source.settings as SqlSettings, endpointUrl, limits);
    default:
      // The contract loader admits only the kinds of ADAPTER_KINDS.
      throw new Error(`no adapter of kind "${source.adapter}"`);
  }
}
