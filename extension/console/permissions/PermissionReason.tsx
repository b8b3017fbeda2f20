import { type ReactNode, useCallback, useId, useState } from "react";
import type { Permission } from "../../../server/permissions/catalogue";
import type { ResourceName } from "../../../server/permissions/rules";
import { callApi } from "../api/client";
import { useMe } from "../session/SessionProvider";

/** What to ask GET /me/explain: a permission, on one record when the control acts on one. */
export type PermissionQuestion = { permission: Permission; record?: { type: ResourceName; id: string } };

type Explanation = { allowed: boolean; permission: Permission; sentence: string };

// One answer per member × permission × record for the tab's life: hovering again asks nothing.
const answers = new Map<string, Promise<string>>();

function askOnce(memberId: string, question: PermissionQuestion): Promise<string> {
  const query = new URLSearchParams({ permission: question.permission });
  if (question.record) {
    query.set("recordType", question.record.type);
    query.set("recordId", question.record.id);
  }
  const key = `${memberId} ${query}`;
  let answer = answers.get(key);
  if (!answer) {
    answer = callApi<Explanation>("GET", `/me/explain?${query}`).then((explanation) => explanation.sentence);
    // A failed question (offline, the record gone) is asked again next time.
    answer.catch(() => answers.delete(key));
    answers.set(key, answer);
  }
  return answer;
}

/**
 * The server's one sentence on why the member may not do something, fetched lazily: `reveal()` on
 * hover or focus asks GET /me/explain (once per permission and record) and `sentence` fills in.
 */
export function usePermissionReason(question: PermissionQuestion) {
  const memberId = useMe().member.id;
  const [sentence, setSentence] = useState<string>();
  const { permission, record } = question;
  const recordType = record?.type;
  const recordId = record?.id;
  const reveal = useCallback(() => {
    const record = recordType && recordId ? { type: recordType, id: recordId } : undefined;
    askOnce(memberId, { permission, record }).then(setSentence, () => undefined);
  }, [memberId, permission, recordType, recordId]);
  return { sentence, reveal };
}

/**
 * A control shown but not usable because of a permission: aria-disabled (so it can still take focus
 * and hover), with the server's reason as its tooltip and its accessible description.
 */
export function ExplainedDisabledButton({ question, children }: { question: PermissionQuestion; children: ReactNode }) {
  const { sentence, reveal } = usePermissionReason(question);
  const descriptionId = useId();
  return (
    <>
      <button
        type="button"
        className="explained-disabled"
        aria-disabled="true"
        aria-describedby={descriptionId}
        title={sentence}
        onMouseEnter={reveal}
        onFocus={reveal}
        onClick={(event) => event.preventDefault()}
      >
        {children}
      </button>
      <span id={descriptionId} className="visually-hidden" aria-live="polite">
        {sentence}
      </span>
    </>
  );
}
