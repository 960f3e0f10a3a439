/** The role a bearer token carries (in OIDC_ROLE_CLAIM) for a privacy officer: the IdP's word, not a demo's. */
export const PRIVACY_OFFICER_ROLE = 'privacy-officer';
