import type { Page } from "playwright-core";
import { forgetLoginSession } from "./browser";
import { testPassword } from "./factories";

/**
 * Logs `member` in on the console's login page, as a person does (email, password, Log in), in a
 * browser of their own: a login session another tab of this test browser started is forgotten first,
 * or the console would open signed in as that tab's member.
 */
export async function logInToConsole(page: Page, baseUrl: string, member: { email: string }): Promise<Page> {
  await forgetLoginSession(page.context());
  await page.goto(`${baseUrl}/#/login`);
  await page.getByLabel("Email", { exact: true }).fill(member.email);
  await page.getByLabel("Password", { exact: true }).fill(testPassword);
  await page.getByRole("button", { name: "Log in" }).click();
  return page;
}

/** Logs in, then opens a console section from the navigation and waits for its heading. */
export async function logInToSection(page: Page, baseUrl: string, member: { email: string }, section: string, heading = section): Promise<Page> {
  await logInToConsole(page, baseUrl, member);
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: section }).click();
  await page.getByRole("heading", { name: heading, exact: true }).waitFor();
  return page;
}
