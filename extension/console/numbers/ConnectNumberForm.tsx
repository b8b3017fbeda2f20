import { type FormEvent, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { TextField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import { CopyField } from "./CopyField";
import type { NumberCheck, NumberSetup } from "./types";

type Provider = "cloud" | "sandbox";
type Props = { setup: NumberSetup; onConnected(): void; onCancel(): void };

/**
 * Connect a number: a WhatsApp Cloud API number (Meta's ids and a token, the webhook settings to
 * enter at Meta, and a check that asks Meta before anything is stored), or a sandbox number.
 */
export function ConnectNumberForm({ setup, onConnected, onCancel }: Props) {
  const [provider, setProvider] = useState<Provider>("cloud");
  const [phoneNumberId, setPhoneNumberId] = useState("");
  const [wabaId, setWabaId] = useState("");
  const [accessToken, setAccessToken] = useState("");
  const [appSecret, setAppSecret] = useState("");
  const [phoneNumber, setPhoneNumber] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [checked, setChecked] = useState<NumberCheck>();
  const check = useAction();
  const connect = useAction();

  const credentials = { phoneNumberId: phoneNumberId.trim(), wabaId: wabaId.trim(), accessToken: accessToken.trim() };
  const credentialsComplete = credentials.phoneNumberId !== "" && credentials.wabaId !== "" && credentials.accessToken !== "";
  // Any edit of what was checked makes the check stale.
  const editCredential = (set: (value: string) => void) => (value: string) => {
    set(value);
    setChecked(undefined);
  };

  const runCheck = () =>
    void check.run(async () => {
      const answer = await callApi<NumberCheck>("POST", "/whatsapp-accounts/check", credentials);
      setChecked(answer);
      if (answer.displayPhoneNumber && phoneNumber === "") setPhoneNumber(answer.displayPhoneNumber);
      if (answer.verifiedName && displayName === "") setDisplayName(answer.verifiedName);
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body =
      provider === "cloud"
        ? {
            provider,
            phoneNumber,
            ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
            cloud: { ...credentials, ...(appSecret.trim() ? { appSecret: appSecret.trim() } : {}) },
          }
        : { provider, phoneNumber, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) };
    void connect.run(() => callApi("POST", "/whatsapp-accounts", body)).then((done) => done && onConnected());
  };

  return (
    <form className="card" aria-label="Connect a number" onSubmit={submit}>
      <h2>Connect a number</h2>
      {setup.sandboxEnabled && (
        <fieldset className="segmented">
          <legend className="visually-hidden">Kind of number</legend>
          <button type="button" aria-pressed={provider === "cloud"} onClick={() => setProvider("cloud")}>
            WhatsApp Cloud API
          </button>
          <button type="button" aria-pressed={provider === "sandbox"} onClick={() => setProvider("sandbox")}>
            Sandbox (to try Switchboard)
          </button>
        </fieldset>
      )}
      {provider === "cloud" ? (
        <>
          <ol className="steps">
            <li>
              In Meta's app dashboard, under WhatsApp → Configuration, set the webhook to these values and subscribe to the <code>messages</code> field:
              <CopyField label="Callback URL" value={setup.webhookUrl} />
              {setup.verifyToken ? (
                <CopyField label="Verify token" value={setup.verifyToken} />
              ) : (
                <p className="hint">
                  This server has no verify token set (WHATSAPP_VERIFY_TOKEN): ask whoever runs it, Meta needs one to save the callback URL.
                </p>
              )}
            </li>
            <li>
              Under WhatsApp → API Setup, copy the phone number ID and the WhatsApp Business Account ID, and create a permanent (system user) access token.
            </li>
          </ol>
          <TextField label="Phone number ID" value={phoneNumberId} onChange={editCredential(setPhoneNumberId)} required />
          <TextField label="WhatsApp Business Account ID" value={wabaId} onChange={editCredential(setWabaId)} required />
          <TextField label="Access token" type="password" autoComplete="off" value={accessToken} onChange={editCredential(setAccessToken)} required />
          <div className="button-row">
            <button type="button" disabled={!credentialsComplete || check.pending} onClick={runCheck}>
              {check.pending ? "Asking Meta…" : "Check connection"}
            </button>
          </div>
          <ProblemMessage problem={check.problem} />
          {checked && (
            <div className={checked.alreadyConnected ? "problem" : "success"} role="status" aria-label="Meta's answer">
              {checked.alreadyConnected === "this_workspace"
                ? "Meta confirms the token controls this number, and it is already connected here."
                : checked.alreadyConnected === "another_workspace"
                  ? "Meta confirms the token controls this number, but it is connected to another workspace: it has to be disconnected there first."
                  : `Meta confirms: ${checked.displayPhoneNumber ?? checked.phoneNumberId}${checked.verifiedName ? ` (${checked.verifiedName})` : ""} can be connected with this token.`}
            </div>
          )}
          <TextField
            label="App secret (optional)"
            type="password"
            autoComplete="off"
            value={appSecret}
            onChange={setAppSecret}
            hint="Only if this number's webhooks come from your own Meta app: its secret verifies them."
          />
        </>
      ) : (
        <p className="hint">A sandbox number sends nothing to WhatsApp: customer messages are simulated from the Inbox, and replies are delivered at once.</p>
      )}
      <TextField label="Phone number" value={phoneNumber} onChange={setPhoneNumber} required placeholder="+49 30 1234567" />
      <TextField label="Name shown to the team (optional)" value={displayName} onChange={setDisplayName} placeholder="Sales line" />
      <ProblemMessage problem={connect.problem} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={connect.pending || phoneNumber.trim() === "" || (provider === "cloud" && !credentialsComplete)}>
          Connect number
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
