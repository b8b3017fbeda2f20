import { useMemo, useState } from "react";
import { callApi } from "../api/client";
import { useAction } from "../api/use-action";
import { useMe, useSession } from "../session/SessionProvider";
import { SelectField } from "../shared/fields";
import { ProblemMessage } from "../shared/ProblemMessage";
import { phoneCountryOptions } from "../shared/phone-format";
import { FullNumbersSetting } from "./FullNumbersSetting";

/**
 * The workspace's phone-number settings (team.manage): the default country of numbers typed without a
 * country code, and whether Agents and Collaborators see contacts' full numbers.
 */
export function DefaultCountryCard() {
  const { workspace } = useMe();
  const { refresh } = useSession();
  const save = useAction();
  const current = workspace.defaultCountry ?? "";
  const [chosen, setChosen] = useState<string>();
  const [saved, setSaved] = useState(false);
  const country = chosen ?? current;
  const options = useMemo(() => [{ value: "", label: "None: numbers need their country code" }, ...phoneCountryOptions()], []);

  const submit = () =>
    void save.run(async () => {
      await callApi("PATCH", "/workspace", { defaultCountry: country || null });
      await refresh();
      setChosen(undefined);
      setSaved(true);
    });

  return (
    <section className="card" aria-labelledby="phone-country-heading">
      <h2 id="phone-country-heading">Phone numbers</h2>
      <p className="muted">
        Numbers typed without a country code (in a new chat, a campaign's CSV, the search) are read as numbers of this country: with United Kingdom, 07700
        900123 is +44 7700 900123.
      </p>
      <div className="inline-form">
        <SelectField
          label="Default country"
          value={country}
          options={options}
          onChange={(value) => {
            setChosen(value);
            setSaved(false);
          }}
        />
        <button type="button" className="primary" disabled={save.pending || country === current} onClick={submit}>
          Save country
        </button>
      </div>
      <ProblemMessage problem={save.problem} />
      {saved && (
        <p role="status" className="success">
          Default country saved.
        </p>
      )}
      <FullNumbersSetting />
    </section>
  );
}
