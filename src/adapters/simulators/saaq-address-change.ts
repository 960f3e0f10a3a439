import { isIP } from 'node:net';
import type { SaaqAddressRecord } from './demo-records';

/**
 * A change of address as the SAAQ simulator takes it (`PUT` on a licence's
 * address), in the SAAQ's own JSON shape. `province` defaults to the one on
 * file, `appartement` to none, `depuis` to the day of the change.
 */
export interface SaaqAddressChange {
  adresse: { numeroCivique: string; rue: string; appartement?: string | null };
  municipalite: string;
  province?: string;
  codePostal: string;
  depuis?: string;
}

const PROVINCES = ['QC', 'ON', 'NB', 'NS', 'PE', 'NL', 'MB', 'SK', 'AB', 'BC', 'YT', 'NT', 'NU'];
const STREET_NUMBER = /^[0-9]{1,6}[A-Z]?$/;
const POSTAL_CODE = /^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type AddressChangeOutcome = { record: SaaqAddressRecord } | { errors: string[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= max;
}

function validDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * The record after the change, or what is wrong with the change. The limits
 * are those of the `saaq.adresse` data schema, so that what the simulator
 * accepts the gateway can still serve. `today` is YYYY-MM-DD. Pure.
 */
export function applyAddressChange(current: SaaqAddressRecord, change: unknown, today: string): AddressChangeOutcome {
  if (!isObject(change)) return { errors: ['the body must be a JSON object'] };
  const errors: string[] = [];
  const adresse = change.adresse;
  if (!isObject(adresse)) errors.push('adresse: must be an object');
  else {
    if (typeof adresse.numeroCivique !== 'string' || !STREET_NUMBER.test(adresse.numeroCivique)) {
      errors.push('adresse.numeroCivique: 1 to 6 digits, then an optional capital letter');
    }
    if (!text(adresse.rue, 120)) errors.push('adresse.rue: 1 to 120 characters');
    const unit = adresse.appartement;
    if (unit !== undefined && unit !== null && !text(unit, 10)) {
      errors.push('adresse.appartement: null or 1 to 10 characters');
    }
  }
  if (!text(change.municipalite, 80)) errors.push('municipalite: 1 to 80 characters');
  if (change.province !== undefined && !PROVINCES.includes(change.province as string)) {
    errors.push(`province: one of ${PROVINCES.join(', ')}`);
  }
  if (typeof change.codePostal !== 'string' || !POSTAL_CODE.test(change.codePostal)) {
    errors.push('codePostal: like "H2X 1Y4"');
  }
  if (change.depuis !== undefined && (typeof change.depuis !== 'string' || !validDate(change.depuis))) {
    errors.push('depuis: a date, YYYY-MM-DD');
  }
  if (errors.length > 0 || !isObject(adresse)) return { errors };
  const unit = adresse.appartement as string | null | undefined;
  return {
    record: {
      numeroPermis: current.numeroPermis,
      adresse: {
        numeroCivique: adresse.numeroCivique as string,
        rue: adresse.rue as string,
        appartement: unit ?? null,
      },
      municipalite: change.municipalite as string,
      province: (change.province as string | undefined) ?? current.province,
      codePostal: change.codePostal as string,
      depuis: (change.depuis as string | undefined) ?? today,
    },
  };
}

/** Whether a peer address (as a socket reports it) is this host's loopback. Pure. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined || isIP(address) === 0) return false;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}
