import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { workspaces } from "../db/schema";
import { type CountryCode, isPhoneCountry } from "../whatsapp/phone";

/** The country numbers typed without a country code are read in, for this workspace; null when none is set. */
export async function workspaceDefaultCountry(db: Database, workspaceId: string): Promise<CountryCode | null> {
  const [row] = await db.select({ defaultCountry: workspaces.defaultCountry }).from(workspaces).where(eq(workspaces.id, workspaceId));
  const country = row?.defaultCountry ?? null;
  return country && isPhoneCountry(country) ? country : null;
}
