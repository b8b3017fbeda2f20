import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { RecordConversation } from "../pipedrive/panel/RecordConversation";
import { useRecordPanel } from "../pipedrive/panel/use-panel-data";
import { createBearerApi, type PanelMember, problemText, publicRequest } from "../pipedrive/shared/api";
import { Loading, Notice } from "../pipedrive/shared/surface";
import type { Chat, Message, PanelPhone, WhatsAppAccount } from "../pipedrive/shared/types";

// Switchboard inside HubSpot's iframe modal, opened by the app card: either the sign-in (a HubSpot
// user not linked yet signs in with their Switchboard email and password, which links them) or,
// for a linked member, "Open conversation" (a signed single-use token). The bearer either gives is
// bound to the card's record and lives in memory only (a third-party iframe). Then the same panel
// pieces as Pipedrive's, kept live over GET /events: the record's phones, the chats the member may
// see, a chat's history and the composer, all through the ordinary API under the member's own role.
// On a deal, a chat used here is logged under that deal (PUT /hubspot/panel/chats/:id/deal).

type HubspotSession = {
  token: string;
  expiresAt: string;
  member: PanelMember;
  workspace: { id: string; name: string };
  record: { objectTypeId: "0-1" | "0-3"; objectId: string };
  hubspotLink?: { status: "linked" | "not_permitted" | "no_user"; detail: string };
};
type HubspotPerson = { id: string; name: string; phones: PanelPhone[] };
type HubspotContext = { record: HubspotSession["record"]; persons: HubspotPerson[]; chats: Chat[]; accounts: WhatsAppAccount[] };

export function HubspotApp({ context, conversation = null }: { context: string | null; conversation?: string | null }) {
  const [session, setSession] = useState<HubspotSession | null>(null);
  if (conversation && !session) return <OpenConversation conversation={conversation} onOpened={setSession} />;
  if (!context && !session) {
    return (
      <section className="gate" role="alert" aria-label="Cannot open Switchboard">
        <h2>Open this page from HubSpot</h2>
        <p>Press "Sign in to Switchboard" on the WhatsApp card of a contact or deal; the link it opens works once, for ten minutes.</p>
      </section>
    );
  }
  if (!session) return <SignIn context={context ?? ""} onSignedIn={setSession} />;
  return <PanelBody session={session} />;
}

/** "Open conversation" from the card of a linked member: the signed token traded once for a bearer. */
function OpenConversation({ conversation, onOpened }: { conversation: string; onOpened(session: HubspotSession): void }) {
  const [problem, setProblem] = useState<string>();
  const started = useRef(false);
  useEffect(() => {
    // Once, even under StrictMode's double effects: the token is single-use.
    if (started.current) return;
    started.current = true;
    publicRequest<HubspotSession>("POST", "/hubspot/panel/open", { conversation }).then(onOpened, (error: unknown) => setProblem(problemText(error)));
  }, [conversation, onOpened]);
  if (problem) {
    return (
      <section className="gate" role="alert" aria-label="Cannot open Switchboard">
        <h2>The conversation could not be opened</h2>
        <p>{problem}</p>
      </section>
    );
  }
  return <Loading label="Opening the conversation…" />;
}

function SignIn({ context, onSignedIn }: { context: string; onSignedIn(session: HubspotSession): void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setProblem(undefined);
    try {
      onSignedIn(await publicRequest<HubspotSession>("POST", "/hubspot/panel/session", { context, email, password }));
    } catch (error) {
      setProblem(problemText(error));
      setPending(false);
    }
  };
  return (
    <main aria-label="Sign in to Switchboard">
      <h2>Sign in to Switchboard</h2>
      <p className="muted">Use your Switchboard email and password to see and answer this record's WhatsApp chats.</p>
      <form onSubmit={(event) => void submit(event)}>
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        {problem && <Notice tone="error">{problem}</Notice>}
        <button type="submit" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

function PanelBody({ session }: { session: HubspotSession }) {
  const api = useMemo(() => createBearerApi(session.token), [session.token]);
  const [status, setStatus] = useState<string | undefined>(session.hubspotLink?.detail);
  const linked = useRef(new Set<string>());
  const { selectedId, setSelectedId, history, data, phones } = useRecordPanel<HubspotContext>(api, session.token, "/hubspot/panel/context");
  const context = data.context;
  if (data.loading && !context) return <Loading label="Loading WhatsApp chats…" />;
  if (!context) return <Notice tone="error">{data.problem ? problemText(data.problem) : "The chats could not be loaded."}</Notice>;
  const selected = context.chats.find((chat) => chat.id === selectedId);
  const onDeal = session.record.objectTypeId === "0-3";
  const recordName = onDeal ? "deal" : "contact";

  // A chat used from a deal's card is logged under that deal (its Communications on the deal too).
  const linkToDeal = (chat: Chat) => {
    if (!onDeal || linked.current.has(chat.id)) return;
    linked.current.add(chat.id);
    api.call("PUT", `/hubspot/panel/chats/${encodeURIComponent(chat.id)}/deal`).catch(() => linked.current.delete(chat.id));
  };

  const onSent = (result: { chat: Chat | null; message: Message }) => {
    setStatus(result.message.status === "failed" ? "WhatsApp message failed" : "WhatsApp message sent");
    const chat = result.chat ?? selected ?? context.chats.find((candidate) => candidate.id === result.message.chatId);
    if (result.chat) data.upsertChat(result.chat);
    if (chat) {
      linkToDeal(chat);
      setSelectedId(chat.id);
    }
    if (!result.chat || result.chat.id === selectedId) history.merge(result.message);
  };
  return (
    <main aria-label="Switchboard WhatsApp">
      <div className="whoami">
        <span>{session.member.name}</span>
        <span>{session.workspace.name}</span>
      </div>
      {status && <Notice>{status}</Notice>}
      <h3>People and phones</h3>
      <ul className="persons" aria-label="People">
        {context.persons.length === 0 && <li className="muted">No contact on this {recordName}.</li>}
        {context.persons.map((person) => (
          <li key={person.id}>
            <strong>{person.name}</strong>
            {person.phones.length === 0 && <p className="muted">No phone number.</p>}
            {person.phones.map((phone) => (
              <div className="phone" key={`${phone.raw}-${phone.label}`}>
                <span>
                  <code>{phone.e164 ?? phone.raw}</code> <span className="muted">{phone.label}</span>
                </span>
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
          linkToDeal(chat);
        }}
        onSent={onSent}
        onFailed={(detail) => setStatus(`WhatsApp message not sent: ${detail}`)}
      />
    </main>
  );
}
