import { useEffect, useState } from "react";
import { type PanelApi, problemText } from "../shared/api";
import { Composer } from "../shared/Composer";
import type { IframeParams } from "../shared/iframe-params";
import type { SurfaceHost } from "../shared/sdk";
import { Loading, Notice, RefusedScreen, usePanelSession } from "../shared/surface";
import type { PanelContext } from "../shared/types";

/**
 * The custom modal for starting a chat, opened by the panel with OPEN_MODAL: its `data` names the
 * record and the number. It has its own signed token and session, like every surface.
 */
export function StartChatModal({ host, api, params }: { host: SurfaceHost; api: PanelApi; params: IframeParams }) {
  const state = usePanelSession(api, params.token);
  const [context, setContext] = useState<PanelContext>();
  const [problem, setProblem] = useState<string>();
  // The modal's own URL names its record (its session is bound to it); the panel's `data` only where it doesn't.
  const fromData = params.data.resource === "person" ? "person" : params.data.resource === "deal" ? "deal" : null;
  const resource = params.resource ?? fromData;
  const recordId = Number(params.selectedId ?? params.data.id);
  const ready = state.kind === "ready";

  useEffect(() => {
    if (!ready || !resource || !recordId) return;
    api
      .call<PanelContext>("GET", `/panel/pipedrive/context?resource=${resource}&id=${recordId}`)
      .then(setContext, (error: unknown) => setProblem(problemText(error)));
  }, [api, ready, resource, recordId]);

  if (state.kind === "starting") return <Loading label="Opening Switchboard…" />;
  if (state.kind === "refused") return <RefusedScreen problem={state.problem} />;
  if (problem) return <Notice tone="error">{problem}</Notice>;
  if (!context) return <Loading label="Loading…" />;
  const phone = params.data.phone;
  const phones = context.persons.flatMap((person) => person.phones).sort((a, b) => Number(b.e164 === phone) - Number(a.e164 === phone));
  return (
    <main aria-label="Start a WhatsApp chat">
      <h2>Start a WhatsApp chat</h2>
      <Composer
        api={api}
        accounts={context.accounts.filter((account) => account.canStartChats)}
        chats={context.chats}
        phones={phones}
        persons={context.persons}
        onSent={async (result) => {
          if (resource === "deal" || resource === "person") {
            const person = context.persons.find((candidate) => candidate.phones.some((entry) => entry.e164 === result.phone));
            const chatId = result.chat?.id ?? result.message.chatId;
            if (person)
              await api
                .call(
                  "PUT",
                  `/panel/pipedrive/chats/${encodeURIComponent(chatId)}/link`,
                  resource === "deal" ? { personId: person.id, dealId: recordId } : { personId: person.id },
                )
                .catch(() => {});
          }
          host.snackbar("WhatsApp message sent");
          host.closeModal();
        }}
        onFailed={(detail) => host.snackbar(`WhatsApp message not sent: ${detail}`)}
      />
      <div className="row">
        <span />
        <button type="button" onClick={() => host.closeModal()}>
          Cancel
        </button>
      </div>
    </main>
  );
}
