import { useState } from "react";
import { useAction } from "../api/use-action";
import { ProblemMessage } from "../shared/ProblemMessage";
import { playChime } from "../shell/new-message-alerts";
import { type Preferences, preferences, usePreferences } from "../shell/preferences";

const supported = typeof window !== "undefined" && "Notification" in window;
const blockedHelp =
  "This browser blocks notifications from Switchboard. Allow them in the site settings (the icon left of the address bar), then turn this on again.";

/**
 * The member's own alerts for new customer messages in chats they are responsible for: desktop
 * notifications and a sound, both off until turned on, kept on the server (the same on every
 * device). Turning notifications on is what asks the browser's permission — once.
 */
export function NotificationsCard() {
  const saved = usePreferences();
  const save = useAction();
  const [notice, setNotice] = useState<string>();
  const [permission, setPermission] = useState(supported ? Notification.permission : "denied");
  // The box shows the member's choice at once while it is saved; a refusal puts it back.
  const [choosing, setChoosing] = useState<Partial<Preferences>>({});
  const settings = saved && { ...saved, ...choosing };

  const choose = (change: Partial<Preferences>, apply: () => Promise<void>) => {
    setNotice(undefined);
    setChoosing(change);
    void save.run(async () => {
      try {
        await apply();
      } finally {
        setChoosing({});
      }
    });
  };
  const setDesktop = (on: boolean) =>
    choose({ desktopNotifications: on }, async () => {
      if (on && supported && Notification.permission === "default") {
        const answer = await Notification.requestPermission();
        setPermission(answer);
        if (answer !== "granted") {
          setNotice(blockedHelp);
          return;
        }
      }
      if (on && supported && Notification.permission === "denied") {
        setNotice(blockedHelp);
        return;
      }
      await preferences.save({ desktopNotifications: on });
      setNotice(on ? "Desktop notifications are on." : "Desktop notifications are off.");
    });
  const setSound = (on: boolean) =>
    choose({ notificationSound: on }, async () => {
      await preferences.save({ notificationSound: on });
      if (on) playChime();
      setNotice(on ? "The sound is on." : "The sound is off.");
    });
  const askHere = () =>
    void Notification.requestPermission().then((answer) => {
      setPermission(answer);
      if (answer !== "granted") setNotice(blockedHelp);
    });

  return (
    <section className="card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">Notifications</h2>
      <p className="muted">
        When a customer writes in a chat you are responsible for, and you are not looking at it. Your choice applies on every device you use.
      </p>
      {!settings ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <label className="checkbox-field">
            <input
              type="checkbox"
              checked={settings.desktopNotifications}
              disabled={save.pending || !supported}
              onChange={(event) => setDesktop(event.target.checked)}
            />{" "}
            Desktop notifications
          </label>
          {!supported && <p className="muted">This browser cannot show desktop notifications.</p>}
          {supported && settings.desktopNotifications && permission !== "granted" && (
            <p className="muted">
              This browser has not been allowed to show them yet.{" "}
              <button type="button" className="link-button" onClick={askHere}>
                Allow in this browser
              </button>
            </p>
          )}
          <label className="checkbox-field">
            <input type="checkbox" checked={settings.notificationSound} disabled={save.pending} onChange={(event) => setSound(event.target.checked)} /> Play a
            sound
          </label>
        </>
      )}
      <ProblemMessage problem={save.problem} />
      {notice && (
        <p className={notice === blockedHelp ? "notice" : "success"} role="status">
          {notice}
        </p>
      )}
    </section>
  );
}
