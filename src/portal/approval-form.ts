import type { ApprovalChoice } from '../consent/approval';

/** The approve form's checkbox: keep the organisation up to date with the citizen's changes. */
export const KEEP_FIELD = 'keepUpToDate';
/** Sent beside the checkbox, which sends nothing when it is unticked: the citizen was asked. */
export const KEEP_ASKED_FIELD = 'keepUpToDateAsked';
export const YES = 'yes';

/** The citizen's choice from the approve form: only a form that showed the checkbox decides anything. */
export function approvalChoiceOf(form: Readonly<Record<string, string>>): ApprovalChoice {
  if (form[KEEP_ASKED_FIELD] !== YES) return {};
  return { keepUpToDate: form[KEEP_FIELD] === YES };
}
