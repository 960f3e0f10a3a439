import { auditTamperPowers, type AuditPrivilegeFacts } from './audit-privileges';

/** The gateway's login as it should be: it may only INSERT into and SELECT from the log. */
const FIT: AuditPrivilegeFacts = {
  login: 'passerelle_app',
  superuser: false,
  owner: false,
  update: false,
  delete: false,
  truncate: false,
  trigger: false,
  replicationRole: false,
  evidence: false,
};

type Power = Exclude<keyof AuditPrivilegeFacts, 'login'>;

describe('auditTamperPowers', () => {
  it('finds none for a login that may only append and read', () => {
    expect(auditTamperPowers(FIT)).toEqual([]);
  });

  it.each<[Power, string]>([
    ['superuser', 'is a superuser'],
    ['owner', 'owns audit_event (or is a member of its owner)'],
    ['update', 'may UPDATE audit_event'],
    ['delete', 'may DELETE from audit_event'],
    ['truncate', 'may TRUNCATE audit_event'],
    ['trigger', 'may create triggers on audit_event'],
    ['replicationRole', 'may SET session_replication_role'],
    ['evidence', 'may rewrite or remove signed evidence (audit_checkpoint, audit_head)'],
  ])('names %s alone, and nothing else', (power, words) => {
    expect(auditTamperPowers({ ...FIT, [power]: true })).toEqual([words]);
  });

  it('names every power a login holds, in a stable order', () => {
    const all = { ...FIT, superuser: true, owner: true, update: true, delete: true, truncate: true, trigger: true };
    expect(auditTamperPowers({ ...all, replicationRole: true, evidence: true })).toHaveLength(8);
    expect(auditTamperPowers({ ...FIT, delete: true, superuser: true })).toEqual([
      'is a superuser',
      'may DELETE from audit_event',
    ]);
  });
});
