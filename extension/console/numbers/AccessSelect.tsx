import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { AccessOverride, AccountAccess } from "./types";

const choices: { value: AccountAccess | ""; label: string }[] = [
  { value: "", label: "As the role allows" },
  { value: "full", label: "Full" },
  { value: "read", label: "Read-only" },
  { value: "none", label: "No access" },
];

type Props = {
  accountId: string;
  subject: AccessOverride["subject"];
  /** The override now in place, if any. */
  current: AccountAccess | undefined;
  /** The accessible name: "Ana Lima on Support (+44 20 7946 0000)". */
  label: string;
  onChanged(): void;
};

/**
 * One member's or role's access to one WhatsApp number: choosing saves at once (PUT
 * /whatsapp-accounts/{id}/access; "As the role allows" removes the override). The server decides
 * who may be overridden and how far; its refusal shows under the choice and the value stays.
 */
export function AccessSelect({ accountId, subject, current, label, onChanged }: Props) {
  const save = useAction();
  const choose = (value: string) =>
    void save
      .run(() =>
        callApi("PUT", `/whatsapp-accounts/${accountId}/access`, { subjectType: subject.type, subjectId: subject.id, access: value === "" ? null : value }),
      )
      .then((done) => done && onChanged());
  return (
    <>
      <select aria-label={label} value={current ?? ""} disabled={save.pending} onChange={(event) => choose(event.target.value)}>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
      <ProblemMessage problem={save.problem} />
    </>
  );
}
