import { DEMO_CITIZENS } from '../adapters/simulators/demo-records';
import { CitizenMailer } from './citizen-mailer';

describe('CitizenMailer.wants', () => {
  const citizen = DEMO_CITIZENS[0].pivotId;
  const mailer = new CitizenMailer({
    smtpUrl: undefined,
    mailFrom: 'passerelle@example.org',
    mailDir: '/nonexistent',
    demoMailboxes: [citizen],
  });

  it('writes to the citizen about their consents and the requests made to them', () => {
    expect(
      ['consent.granted', 'consent.revoked', 'consent.expired', 'consent-request.created'].map((type) =>
        mailer.wants(citizen, type),
      ),
    ).toEqual([true, true, true, true]);
  });

  it('does not write about the answers the citizen gave', () => {
    expect(mailer.wants(citizen, 'consent-request.approved')).toBe(false);
    expect(mailer.wants(citizen, 'consent-request.rejected')).toBe(false);
  });

  it('does not write about an unknown type, nor to a citizen without an address', () => {
    expect(mailer.wants(citizen, 'toString')).toBe(false);
    expect(mailer.wants('not-a-demo-citizen', 'consent.granted')).toBe(false);
  });
});
