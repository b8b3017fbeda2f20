import { useEffect } from "react";
import { useSession } from "../session/SessionProvider";

/** How often the locked screen asks whether the membership is active again. */
const recheckMs = 3_000;

import { AuthCard } from "../shared/AuthCard";

/** What a suspended member sees instead of the console (the API answers them 403 member_suspended). */
export function LockedScreen({ detail }: { detail: string }) {
  const { signOut, refresh } = useSession();
  // Re-activation lets the member back in where they were (the hash route is untouched), without logging in again.
  useEffect(() => {
    const recheck = () => {
      if (document.visibilityState === "visible") void refresh();
    };
    const timer = setInterval(recheck, recheckMs);
    document.addEventListener("visibilitychange", recheck);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", recheck);
    };
  }, [refresh]);
  return (
    <AuthCard title="Your access is suspended">
      <div className="locked" role="alert">
        <svg className="locked-icon" viewBox="0 0 24 24" width="44" height="44" aria-hidden="true">
          <rect x="4" y="10" width="16" height="11" rx="2" fill="currentColor" />
          <path d="M8 10V7a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" strokeWidth="2" />
        </svg>
        <p>{detail}</p>
        <p className="muted">
          Nothing in this workspace is available to you until an admin re-activates your membership. Contact your workspace admin. This page opens the console
          by itself once you are re-activated.
        </p>
      </div>
      <div className="locked-actions">
        <button type="button" onClick={() => void signOut()}>
          Log out
        </button>
      </div>
    </AuthCard>
  );
}
