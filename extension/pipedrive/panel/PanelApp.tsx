import { useRef } from "react";
import { type PanelApi, type PanelSession, problemText } from "../shared/api";
import type { IframeParams, PanelResource } from "../shared/iframe-params";
import type { SurfaceHost } from "../shared/sdk";
import { Loading, Notice, RefusedScreen, usePanelSession } from "../shared/surface";
import type { Chat, Message, PanelContext } from "../shared/types";
import { ConnectOwnAccount } from "./ConnectOwnAccount";
import { RecordConversation } from "./RecordConversation";
import { useRecordPanel } from "./use-panel-data";

export function PanelApp({ host, api, params }: { host: SurfaceHost; api: PanelApi; params: IframeParams }) {
  const state = usePanelSession(api, params.token);
  if (state.kind === "starting") return <Loading label="Opening Switchboard…" />;
  if (state.kind === "refused") return <RefusedScreen problem={state.problem} />;
  if (!params.resource || !params.selectedId) return <p className="muted">Open a deal or a person to see its WhatsApp chats.</p>;
  return <PanelBody host={host} api={api} session={state.session} record={{ resource: params.resource, id: params.selectedId }} panelUserId={params.userId} />;
}

type PanelBodyProps = {
  host: SurfaceHost;
  api: PanelApi;
  session: PanelSession;
  record: { resource: PanelResource; id: number };
  panelUserId: string | null;
};

function PanelBody({ host, api, session, record, panelUserId }: PanelBodyProps) {
  const linked = useRef(new Set<string>());
  const { selectedId, setSelectedId, history, data, phones } = useRecordPanel<PanelContext>(
    api,
    session.token,
    `/panel/pipedrive/context?resource=${record.resource}&id=${record.id}`,
  );
  const context = data.context;

  if (data.loading && !context) return <Loading label="Loading WhatsApp chats…" />;
  if (!context) return <Notice tone="error">{data.problem ? problemText(data.problem) : "The chats could not be loaded."}</Notice>;
  const selected = context.chats.find((chat) => chat.id === selectedId);

  // A chat used from this record is logged under it: the person whose number it is, and the deal.
  const linkChat = (chat: Chat) => {
    if (linked.current.has(chat.id)) return;
    const person = context.persons.find((candidate) => candidate.phones.some((phone) => phone.e164 === chat.contact.phone));
    if (!person) return;
    linked.current.add(chat.id);
    const body = record.resource === "deal" ? { personId: person.id, dealId: record.id } : { personId: person.id };
    api.call("PUT", `/panel/pipedrive/chats/${encodeURIComponent(chat.id)}/link`, body).catch(() => linked.current.delete(chat.id));
  };

  const onSent = (result: { chat: Chat | null; message: Message }) => {
    const chat = result.chat ?? selected ?? context.chats.find((candidate) => candidate.id === result.message.chatId);
    if (result.chat) data.upsertChat(result.chat);
    if (chat) {
      linkChat(chat);
      setSelectedId(chat.id);
    }
    if (!result.chat || result.chat.id === selectedId) history.merge(result.message);
    host.snackbar(result.message.status === "failed" ? "WhatsApp message failed" : "WhatsApp message sent");
  };

  // Developer Hub assigns the modal's id; the server passes on PIPEDRIVE_START_CHAT_MODAL_ID. Without
  // it there is no modal to open, so there is no button.
  const startChatModalId = session.startChatModalId;
  const openStartChatModal = async (modalId: string, phone: string) => {
    try {
      const status = await host.openCustomModal(modalId, { resource: record.resource, id: String(record.id), phone });
      if (status === "submitted") data.reload();
    } catch (error) {
      // Pipedrive refuses an id it doesn't know (a stale PIPEDRIVE_START_CHAT_MODAL_ID).
      host.snackbar(`The start-chat window could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return (
    <main aria-label="Switchboard WhatsApp">
      <div className="whoami">
        <span>{session.member.name}</span>
        <span>{session.workspace.name}</span>
      </div>
      {!context.ownConnection && (
        <ConnectOwnAccount api={api} resource={record.resource} ownAccount={context.ownAccount} panelUserId={panelUserId} onConnected={data.reload} />
      )}
      <h3>People and phones</h3>
      <ul className="persons" aria-label="People">
        {context.persons.length === 0 && <li className="muted">No person on this {record.resource}.</li>}
        {context.persons.map((person) => (
          <li key={person.id}>
            <strong>{person.name}</strong>
            {person.phones.length === 0 && <p className="muted">No phone number.</p>}
            {person.phones.map((phone) => (
              <div className="phone" key={`${phone.raw}-${phone.label}`}>
                <span>
                  <code>{phone.e164 ?? phone.raw}</code> <span className="muted">{phone.label}</span>
                </span>
                {startChatModalId && phone.e164 && context.accounts.some((account) => account.canStartChats) && (
                  <button type="button" className="link" onClick={() => void openStartChatModal(startChatModalId, phone.e164 as string)}>
                    Start chat…
                  </button>
                )}
                {!phone.e164 && <span className="muted">not a valid number</span>}
              </div>
            ))}
          </li>
        ))}
      </ul>
      <RecordConversation
        api={api}
        me={session.member}
        context={context}
        phones={phones}
        selectedId={selectedId}
        onSelect={setSelectedId}
        history={history}
        members={data.members}
        onChat={(chat) => {
          data.upsertChat(chat);
          if (record.resource === "deal") linkChat(chat);
        }}
        onSent={onSent}
        onFailed={(detail) => host.snackbar(`WhatsApp message not sent: ${detail}`)}
      />
    </main>
  );
}
