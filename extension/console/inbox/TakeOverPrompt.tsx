import { useEffect, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { usePermissionReason } from "../permissions/PermissionReason";
import { ProblemMessage } from "../shared/ProblemMessage";

/**
 * In place of the composer when the ownership lock alone keeps the member out of a chat someone
 * else holds: the server's sentence (GET /me/explain, the 403's own), a disabled reply box, and
 * "Ask to take over", which tells the responsible and the team's managers.
 */
export function TakeOverPrompt({ chatId, holderName }: { chatId: string; holderName: string }) {
  const { sentence, reveal } = usePermissionReason({ permission: "chats.reply", record: { type: "chat", id: chatId } });
  const ask = useAction();
  const [asked, setAsked] = useState(false);
  useEffect(() => reveal(), [reveal]);

  const askToTakeOver = () =>
    void ask.run(async () => {
      await callApi("POST", `/chats/${encodeURIComponent(chatId)}/take-over-requests`);
      setAsked(true);
    });

  return (
    <div className="composer-readonly take-over-prompt">
      <p id={`lock-${chatId}`}>{sentence ?? `${holderName} holds this chat.`}</p>
      <textarea aria-label="Message" aria-describedby={`lock-${chatId}`} disabled placeholder="Replying is locked to the chat's responsible" rows={2} />
      {asked ? (
        <p role="status" className="success">
          Asked. {holderName} and the team's managers have been told.
        </p>
      ) : (
        <button type="button" onClick={askToTakeOver} disabled={ask.pending}>
          Ask to take over
        </button>
      )}
      <ProblemMessage problem={ask.problem} />
    </div>
  );
}
