import { useState } from "react";
import { type ApiProblem, asProblem, callApi } from "../api/client";
import { ProblemMessage } from "../shared/ProblemMessage";
import { Dialog } from "./Dialog";
import { deletionNotice } from "./deletion-words";
import type { Message } from "./types";

type DeleteMessageDialogProps = {
  chatId: string;
  message: Message;
  onDeleted(messageId: string): void;
  onClose(): void;
};

/** "Delete for everyone here?": says before deleting what WhatsApp keeps, then deletes (DELETE /chats/{id}/messages/{messageId}). */
export function DeleteMessageDialog({ chatId, message, onDeleted, onClose }: DeleteMessageDialogProps) {
  const [problem, setProblem] = useState<ApiProblem>();
  const [deleting, setDeleting] = useState(false);
  const notice = deletionNotice(message);
  const confirm = () => {
    setDeleting(true);
    callApi("DELETE", `/chats/${encodeURIComponent(chatId)}/messages/${encodeURIComponent(message.id)}`).then(
      () => {
        onDeleted(message.id);
        onClose();
      },
      (error: unknown) => {
        const failure = asProblem(error);
        // Already deleted (by someone else a moment ago): it is gone either way.
        if (failure.status === 404) {
          onDeleted(message.id);
          return onClose();
        }
        setDeleting(false);
        setProblem(failure);
      },
    );
  };
  return (
    <Dialog title="Delete for everyone here?" onClose={onClose}>
      <div className="delete-message-dialog">
        <p>The message disappears for every member of the workspace, in the inbox, the CRM panels and exports. Its content stays in the activity log.</p>
        {notice && (
          <p className="notice" role="note">
            {notice}
          </p>
        )}
        <ProblemMessage problem={problem} />
        <div className="form-actions">
          <button type="button" className="danger" disabled={deleting} onClick={confirm}>
            {deleting ? "Deleting…" : "Delete for everyone here"}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}
