import type { AdapterSettingsSpec } from '../contracts/contract-meta-schema';
import { checkLayout, FIXED_WIDTH_SETTINGS_SCHEMA, type FixedWidthSettings } from './fixed-width/copybook-layout';
import { REST_SETTINGS_SCHEMA } from './rest/rest-settings';
import { SOAP_SETTINGS_SCHEMA } from './soap/soap-settings';
import type { AdapterKind } from './source-adapter';
import { checkSqlSettings, SQL_SETTINGS_SCHEMA, type SqlSettings } from './sql/sql-settings';

/**
 * The adapter kinds a contract's source may name, each with the settings it
 * takes, for the contract loader. Whoever loads the contracts passes this list.
 */
export const ADAPTER_KINDS: readonly (AdapterSettingsSpec & { kind: AdapterKind })[] = [
  { kind: 'soap', schema: SOAP_SETTINGS_SCHEMA },
  {
    kind: 'fixed-width',
    schema: FIXED_WIDTH_SETTINGS_SCHEMA,
    check: (settings) => checkLayout(settings as FixedWidthSettings),
  },
  { kind: 'rest', schema: REST_SETTINGS_SCHEMA },
  { kind: 'sql', schema: SQL_SETTINGS_SCHEMA, check: (settings) => checkSqlSettings(settings as SqlSettings) },
];
