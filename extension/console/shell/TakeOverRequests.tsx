import { useEffect, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { contactLabel } from "../inbox/format";
import { openChat } from "../inbox/selected-chat";
import type { Chat } from "../inbox/types";
import { useLiveEvents } from "../live/LiveUpdatesProvider";
import type { TakeOverRequest } from "../live/live-event";
import { ProblemMessage } from "../shared/ProblemMessage";

type Received = { chat: Chat; request: TakeOverRequest };

/**
 * "Ask to take over" requests this member hears (as the chat's responsible or a team manager),
 * shown in every section until answered: open the chat, or hand it to the asker where the member
 * may set its responsible. A change of responsible answers a chat's requests. Those still open when
 * the console opens are read once (GET /take-over-requests); new ones arrive live.
 */
export function TakeOverRequests() {
  const [received, setReceived] = useState<Received[]>([]);
  const assign = useAction();
  useEffect(() => {
    let current = true;
    callApi<{ data: Received[] }>("GET", "/take-over-requests")
      .then(({ data }) => {
        if (!current) return;
        setReceived((live) => [...data.filter((open) => !live.some((entry) => entry.request.id === open.request.id)), ...live]);
      })
      // Requests are a courtesy: without the list, live ones still arrive.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, []);
  useLiveEvents((signal) => {
    if (signal.type === "resync") return;
    const { chat, request } = signal;
    if (signal.type === "chat.take_over_requested" && request) {
      setReceived((previous) => [...previous.filter((entry) => entry.request.id !== request.id), { chat, request }]);
    } else if (signal.type === "chat.assigned" || signal.type === "chat.unassigned") {
      setReceived((previous) => previous.filter((entry) => entry.chat.id !== chat.id));
    }
  });
  if (received.length === 0) return null;
  const dismiss = (id: string) => setReceived((previous) => previous.filter((entry) => entry.request.id !== id));
  const handOver = ({ chat, request }: Received) =>
    void assign.run(async () => {
      await callApi("PUT", `/chats/${encodeURIComponent(chat.id)}/responsible`, { memberId: request.requestedBy.id });
      dismiss(request.id);
    });

  return (
    <section className="take-over-requests" aria-label="Take-over requests">
      {received.map(({ chat, request }) => (
        <div key={request.id} className="notice" role="status">
          <span>
            {request.requestedBy.name} asks to take over the chat with {contactLabel(chat)}.
          </span>{" "}
          <button type="button" className="link-button" onClick={() => openChat(chat.id)}>
            Open chat
          </button>{" "}
          {chat.abilities.assign && (
            <button type="button" onClick={() => handOver({ chat, request })} disabled={assign.pending}>
              Assign to {request.requestedBy.name}
            </button>
          )}{" "}
          <button type="button" className="link-button" onClick={() => dismiss(request.id)}>
            Dismiss
          </button>
        </div>
      ))}
      <ProblemMessage problem={assign.problem} />
    </section>
  );
}
