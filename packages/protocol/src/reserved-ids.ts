/**
 * The forms of the ids Knocker derives from a request's or a schedule's id. A caller may not
 * choose one as its Knocker-Id: its request would then carry (and be signed with) the id of a
 * callback or of a schedule's tick, and a tick whose id is taken already adds nothing, so the
 * caller's request would be delivered in its place. A form added here is refused everywhere.
 */
export const RESERVED_ID_FORMS: ReadonlyArray<{ pattern: RegExp; form: string }> = [
  { pattern: /^cb-/i, form: 'cb-… (failure callbacks)' },
  { pattern: /^ok-/i, form: 'ok-… (success callbacks)' },
  { pattern: /@\d+$/, form: '…@<digits> (ticks of schedules)' },
  { pattern: /~~/, form: '…~~<endpoint> (copies of group requests)' },
];

/** Why a chosen id is one of Knocker's own forms, if it is. */
export function reservedIdProblem(id: string): string | undefined {
  const taken = RESERVED_ID_FORMS.find((f) => f.pattern.test(id));
  return taken && `is reserved: Knocker gives ids of the form ${taken.form} to its own messages`;
}
