import { useEffect, useState } from "react";
import { asProblem, callApi } from "../api/client";
import type { ListedMember } from "../api/types";
import { useAction } from "../api/use-action";
import { SelectField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import type { Chat, MaybeVisibleChat } from "./types";

type ResponsiblePickerProps = {
  chat: Chat;
  members: ListedMember[];
  onChanged(chat: MaybeVisibleChat): void;
  onGone(): void;
};

const unassigned = "";

/** Sets the chat's one responsible (chats.assign): an active member, or nobody. */
export function ResponsiblePicker({ chat, members, onChanged, onGone }: ResponsiblePickerProps) {
  const assign = useAction();
  const [shown, setShown] = useState(chat.responsibleId ?? unassigned);
  useEffect(() => setShown(chat.responsibleId ?? unassigned), [chat.responsibleId]);

  const choices = members.filter((member) => member.status === "active" || member.id === chat.responsibleId);
  const options = [
    { value: unassigned, label: "Unassigned" },
    ...choices.map((member) => ({ value: member.id, label: member.status === "active" ? member.name : `${member.name} (suspended)` })),
  ];

  const change = async (memberId: string) => {
    setShown(memberId);
    const succeeded = await assign.run(async () => {
      try {
        const { chat: updated } = await callApi<{ chat: MaybeVisibleChat }>("PUT", `/chats/${encodeURIComponent(chat.id)}/responsible`, {
          memberId: memberId || null,
        });
        onChanged(updated);
      } catch (error) {
        if (asProblem(error).status === 404) onGone();
        throw error;
      }
    });
    if (!succeeded) setShown(chat.responsibleId ?? unassigned);
  };

  return (
    <div className="responsible-picker">
      <SelectField label="Responsible" value={shown} options={options} disabled={assign.pending} onChange={(memberId) => void change(memberId)} />
      <ProblemMessage problem={assign.problem} />
    </div>
  );
}
