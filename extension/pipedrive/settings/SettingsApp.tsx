import { useCallback, useEffect, useState } from "react";
import { type ApiProblem, type PanelApi, problemOf, problemText } from "../shared/api";
import type { IframeParams } from "../shared/iframe-params";
import type { SurfaceHost } from "../shared/sdk";
import { Loading, Notice, RefusedScreen, usePanelSession } from "../shared/surface";
import type { ListedMember } from "../shared/types";

type Connection = { status: string; companyDomain: string | null; connectedAt: string | null; reconnectHint?: string };
type LoggingMode = "off" | "note" | "activity" | "both";
type LoggingSettings = { logging: LoggingMode; activityType: string; abilities: { edit: boolean } };
type PipedriveUser = { pipedriveUserId: number; name: string; email: string; active: boolean; memberId: string | null };

const loggingLabels: Record<LoggingMode, string> = {
  off: "Don't log",
  note: "A note per conversation",
  activity: "An activity per conversation",
  both: "A note and an activity per conversation",
};

/** Result of a GET the caller may be refused: the data, or the problem (a 403 means read-only). */
type Loaded<T> = { data?: T; problem?: ApiProblem };

async function load<T>(api: PanelApi, path: string): Promise<Loaded<T>> {
  try {
    return { data: await api.call<T>("GET", path) };
  } catch (error) {
    return { problem: problemOf(error) };
  }
}

/** "Custom UI for app settings": the workspace connection, logging and the user ↔ member mapping. */
export function SettingsApp({ host, api, params }: { host: SurfaceHost; api: PanelApi; params: IframeParams }) {
  const state = usePanelSession(api, params.token);
  if (state.kind === "starting") return <Loading label="Opening Switchboard…" />;
  if (state.kind === "refused") {
    return (
      <>
        <RefusedScreen problem={state.problem} />
        <p>
          <a href={`${window.location.origin}/#/settings`} target="_blank" rel="noreferrer">
            Open Switchboard
          </a>
        </p>
      </>
    );
  }
  return <SettingsBody host={host} api={api} />;
}

function SettingsBody({ host, api }: { host: SurfaceHost; api: PanelApi }) {
  const [connection, setConnection] = useState<Loaded<{ pipedrive: Connection }>>();
  const [settings, setSettings] = useState<Loaded<LoggingSettings>>();
  const [users, setUsers] = useState<Loaded<{ data: PipedriveUser[] }>>();
  const [members, setMembers] = useState<ListedMember[]>([]);
  const [problem, setProblem] = useState<string>();

  const reload = useCallback(async () => {
    const [nextConnection, nextSettings, nextMembers] = await Promise.all([
      load<{ pipedrive: Connection }>(api, "/integrations"),
      load<LoggingSettings>(api, "/integrations/pipedrive/settings"),
      load<{ data: ListedMember[] }>(api, "/members"),
    ]);
    setConnection(nextConnection);
    setSettings(nextSettings);
    setMembers(nextMembers.data?.data ?? []);
    // The mapping is only for those who may manage the workspace connection.
    setUsers(nextConnection.data ? await load<{ data: PipedriveUser[] }>(api, "/integrations/pipedrive/users") : undefined);
  }, [api]);
  useEffect(() => void reload(), [reload]);

  if (!settings) return <Loading label="Loading settings…" />;
  const manage = Boolean(connection?.data);
  const mutate = async (run: () => Promise<unknown>, done: string) => {
    setProblem(undefined);
    try {
      await run();
      host.snackbar(done);
    } catch (error) {
      setProblem(problemText(error));
    }
  };

  const connect = () =>
    mutate(async () => {
      const { authorizeUrl } = await api.call<{ authorizeUrl: string }>("POST", "/integrations/pipedrive/connect");
      window.open(authorizeUrl, "_blank", "noopener");
    }, "Continue in the new window to connect Pipedrive");

  const pipedrive = connection?.data?.pipedrive;
  return (
    <main aria-label="Switchboard settings">
      {problem && <Notice tone="error">{problem}</Notice>}
      <section className="card" aria-label="Workspace connection">
        <h2>Workspace connection</h2>
        {pipedrive ? (
          <>
            <p>
              <span className={`pill ${pipedrive.status === "connected" ? "pill-ok" : ""}`}>{pipedrive.status.replace(/_/g, " ")}</span>{" "}
              {pipedrive.companyDomain && <span className="muted">{pipedrive.companyDomain}.pipedrive.com</span>}
            </p>
            {pipedrive.reconnectHint && <p className="muted">{pipedrive.reconnectHint}</p>}
            <button type="button" className="primary" onClick={() => void connect()}>
              {pipedrive.status === "connected" ? "Reconnect Pipedrive" : "Connect Pipedrive"}
            </button>
          </>
        ) : (
          <p className="muted">
            Pipedrive is connected to your Switchboard workspace. Only an Owner or Admin can change the connection
            {connection?.problem?.status === 403 ? "." : ` (${connection?.problem?.problem.detail ?? "unavailable"}).`}
          </p>
        )}
      </section>
      <section className="card" aria-label="Logging">
        <h2>Logging to Pipedrive</h2>
        {settings.data?.abilities.edit ? (
          <>
            <label htmlFor="logging">Log WhatsApp conversations as</label>
            <select
              id="logging"
              value={settings.data.logging}
              onChange={(event) => {
                const logging = event.target.value as LoggingMode;
                void mutate(
                  async () => setSettings({ data: await api.call<LoggingSettings>("PUT", "/integrations/pipedrive/settings", { logging }) }),
                  "Logging saved",
                );
              }}
            >
              {(Object.keys(loggingLabels) as LoggingMode[]).map((mode) => (
                <option key={mode} value={mode}>
                  {loggingLabels[mode]}
                </option>
              ))}
            </select>
            {settings.data.logging !== "off" && settings.data.logging !== "note" && (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  const activityType = String(new FormData(event.currentTarget).get("activityType") ?? "").trim();
                  const logging = settings.data?.logging;
                  void mutate(
                    async () => setSettings({ data: await api.call<LoggingSettings>("PUT", "/integrations/pipedrive/settings", { logging, activityType }) }),
                    "Activity type saved",
                  );
                }}
              >
                <label htmlFor="activity-type">Activity type (its key in Pipedrive, e.g. call)</label>
                <input id="activity-type" name="activityType" key={settings.data.activityType} defaultValue={settings.data.activityType} />
                <button type="submit">Save type</button>
              </form>
            )}
          </>
        ) : (
          <p data-testid="logging-readonly">{settings.data ? loggingLabels[settings.data.logging] : (settings.problem?.problem.detail ?? "")}</p>
        )}
      </section>
      {manage && (
        <section className="card" aria-label="Users">
          <h2>Pipedrive users and Switchboard members</h2>
          {users?.problem && <Notice tone="error">{problemText(users.problem)}</Notice>}
          <table className="table">
            <thead>
              <tr>
                <th>Pipedrive user</th>
                <th>Switchboard member</th>
              </tr>
            </thead>
            <tbody>
              {(users?.data?.data ?? []).map((user) => (
                <tr key={user.pipedriveUserId}>
                  <td>
                    {user.name} <span className="muted">{user.email}</span>
                  </td>
                  <td>
                    <select
                      aria-label={`Member for ${user.name}`}
                      value={user.memberId ?? ""}
                      onChange={(event) => {
                        const memberId = event.target.value || null;
                        void mutate(async () => {
                          await api.call("PUT", `/integrations/pipedrive/users/${user.pipedriveUserId}`, { memberId });
                          await reload();
                        }, "Mapping saved");
                      }}
                    >
                      <option value="">Not linked</option>
                      {members.map((member) => (
                        <option key={member.id} value={member.id}>
                          {member.name}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}
