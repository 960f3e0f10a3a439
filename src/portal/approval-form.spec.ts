import { approvalChoiceOf } from './approval-form';

describe('approvalChoiceOf', () => {
  it('keeps the organisation up to date when the box was shown and ticked', () => {
    expect(approvalChoiceOf({ _csrf: 't', keepUpToDateAsked: 'yes', keepUpToDate: 'yes' })).toEqual({
      keepUpToDate: true,
    });
  });

  it('does not when the box was shown and left unticked (the browser sends nothing for it)', () => {
    expect(approvalChoiceOf({ _csrf: 't', keepUpToDateAsked: 'yes' })).toEqual({ keepUpToDate: false });
    expect(approvalChoiceOf({ keepUpToDateAsked: 'yes', keepUpToDate: 'on' })).toEqual({ keepUpToDate: false });
  });

  it('decides nothing when the form did not ask (a one-time request): the request stays as asked', () => {
    expect(approvalChoiceOf({ _csrf: 't' })).toEqual({});
    expect(approvalChoiceOf({ _csrf: 't', keepUpToDate: 'yes' })).toEqual({});
  });
});
