import { useState } from "react";
import { callApi } from "../api/client";
import type { Subscription, SubscriptionPlan } from "../api/types";
import { useAction } from "../api/use-action";
import { useApiQuery } from "../api/use-api-query";
import { subscriptionPlans } from "../permissions/permission-catalogue";
import { SelectField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";

const planLabels: Record<SubscriptionPlan, string> = { free: "Free", pro: "Pro", business: "Business" };

/** The subscription plan (billing.manage). */
export function SubscriptionCard() {
  const subscription = useApiQuery<Subscription>("/workspace/subscription");
  const save = useAction();
  const [chosen, setChosen] = useState<SubscriptionPlan>();
  const [saved, setSaved] = useState(false);
  const current = subscription.data?.plan;
  const plan = chosen ?? current ?? "free";

  const changePlan = () =>
    void save.run(async () => {
      await callApi("PUT", "/workspace/subscription", { plan });
      setSaved(true);
      subscription.reload();
    });

  return (
    <section className="card" aria-labelledby="subscription-heading">
      <h2 id="subscription-heading">Subscription</h2>
      <ProblemMessage problem={subscription.problem ?? save.problem} />
      {current && (
        <>
          <p>
            Current plan: <strong>{planLabels[current]}</strong>
          </p>
          <div className="inline-form">
            <SelectField
              label="Plan"
              value={plan}
              options={subscriptionPlans.map((value) => ({ value, label: planLabels[value] }))}
              onChange={(value) => {
                setChosen(value);
                setSaved(false);
              }}
            />
            <button type="button" className="primary" disabled={save.pending || plan === current} onClick={changePlan}>
              Change plan
            </button>
          </div>
          {saved && (
            <p role="status" className="success">
              Plan changed.
            </p>
          )}
        </>
      )}
    </section>
  );
}
