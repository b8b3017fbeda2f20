import { type FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { ChatPane } from "../pipedrive/panel/ChatPane";
import { useHistory } from "../pipedrive/panel/use-panel-data";
import { createBearerApi, type PanelApi, type PanelMember, problemOf, problemText, publicRequest } from "../pipedrive/shared/api";
import { Composer } from "../pipedrive/shared/Composer";
import { RecordChats } from "../pipedrive/shared/RecordChats";
import { Loading, Notice } from "../pipedrive/shared/surface";
import type { Chat, ListedMember, Message, PanelPhone, WhatsAppAccount } from "../pipedrive/shared/types";

// Switchboard inside HubSpot's iframe modal, opened by the app card. The card's request proves no
// HubSpot user, so the member signs in here with their Switchboard email and password; the
// bearer they get is bound to the card's record and lives in memory only (a third-party iframe).
// Then the same panel pieces as Pipedrive's: the record's phones, the chats the member may see,
// a chat's history and the composer, all through the ordinary API under the member's own role.

type HubspotSession = {
  token: string;
  expiresAt: string;
  member: PanelMember;
  workspace: { id: string; name: string };
  record: { objectTypeId: "0-1" | "0-3"; objectId: string };
};
type HubspotPerson = { id: string; name: string; phones: PanelPhone[] };
type HubspotContext = { record: HubspotSession["record"]; persons: HubspotPerson[]; chats: Chat[]; accounts: WhatsAppAccount[] };

export function HubspotApp({ context }: { context: string | null }) {
  const [session, setSession] = useState<HubspotSession | null>(null);
  if (!context) {
    return (
      <section className="gate" role="alert" aria-label="Cannot open Switchboard">
        <h2>Open this page from HubSpot</h2>
        <p>Press "Sign in to Switchboard" on the WhatsApp card of a contact or deal; the link it opens works once, for ten minutes.</p>
      </section>
    );
  }
  if (!session) return <SignIn context={context} onSignedIn={setSession} />;
  return <PanelBody session={session} />;
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

function usePanelContext(api: PanelApi) {
  const [state, setState] = useState<{ context?: HubspotContext; members: ListedMember[]; problem?: string; loading: boolean }>({
    members: [],
    loading: true,
  });
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((value) => value + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger reload() bumps.
  useEffect(() => {
    let current = true;
    Promise.all([
      api.call<HubspotContext>("GET", "/hubspot/panel/context"),
      api.call<{ data: ListedMember[] }>("GET", "/members").catch(() => ({ data: [] as ListedMember[] })),
    ]).then(
      ([context, members]) => current && setState({ context, members: members.data, loading: false }),
      (error: unknown) => current && setState((previous) => ({ ...previous, problem: problemOf(error).problem.detail, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [api, version]);
  return { ...state, reload };
}

function PanelBody({ session }: { session: HubspotSession }) {
  const api = useMemo(() => createBearerApi(session.token), [session.token]);
  const data = usePanelContext(api);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [status, setStatus] = useState<string>();
  const history = useHistory(api, selectedId);
  const context = data.context;
  const phones = useMemo(() => context?.persons.flatMap((person) => person.phones) ?? [], [context]);
  if (data.loading && !context) return <Loading label="Loading WhatsApp chats…" />;
  if (!context) return <Notice tone="error">{data.problem ?? "The chats could not be loaded."}</Notice>;
  const selected = context.chats.find((chat) => chat.id === selectedId);
  const recordName = session.record.objectTypeId === "0-3" ? "deal" : "contact";

  const onSent = (result: { chat: Chat | null; message: Message }) => {
    setStatus(result.message.status === "failed" ? "WhatsApp message failed" : "WhatsApp message sent");
    if (result.chat) {
      data.reload();
      setSelectedId(result.chat.id);
    } else {
      history.merge(result.message);
    }
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
      <h3>WhatsApp chats</h3>
      <RecordChats chats={context.chats} accounts={context.accounts} selectedId={selectedId} onSelect={setSelectedId} />
      {selected && <ChatPane api={api} chat={selected} messages={history.messages} members={data.members} onChat={() => data.reload()} />}
      <h3>Send</h3>
      <Composer
        key={selected?.id ?? "new"}
        api={api}
        accounts={context.accounts}
        chats={context.chats}
        phones={phones}
        chat={selected}
        persons={context.persons}
        onSent={onSent}
        onFailed={(detail) => setStatus(`WhatsApp message not sent: ${detail}`)}
      />
    </main>
  );
}
