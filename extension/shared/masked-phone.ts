// A member without contacts.view_numbers gets every contact number from the server masked:
// "+49 ••• ••• 12". The UI shows such a value as it came and derives nothing from it: no
// formatting, no tel: link, no copy, no comparison with a full number.

/** Whether the server sent this number masked (it hides digits behind "•"). */
export function isMaskedPhone(phone: string | null | undefined): boolean {
  return Boolean(phone?.includes("•"));
}
