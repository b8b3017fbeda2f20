// The demo's browser: what the demo's journeys (pipedrive-journey.ts) use to click through pages
// the way a person's browser does — one request at a time, redirects followed by the journey step
// by step, cookies kept as a browser keeps them (per host and path, forgotten at Max-Age=0) and
// sent back where they belong, forms posted url-encoded. It only goes to this server: an address on
// PUBLIC_URL is sent to the address the server listens on (a development PUBLIC_URL may be a tunnel
// the server can't reach itself through); anything else ends the journey.

/** A journey that could not go on: which step, and what it met instead. */
export class DemoJourneyError extends Error {}

/** What a failed fetch says: undici's "fetch failed" names its cause (e.g. ECONNREFUSED) only there. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

type Cookie = { host: string; path: string; name: string; value: string };

const requestTimeoutMs = 30_000;

export class DemoBrowser {
  private readonly cookies: Cookie[] = [];
  private readonly publicOrigin: string;

  /** `publicUrl` is PUBLIC_URL; `listeningAt` the address this process listens on (e.g. `http://127.0.0.1:3000`). */
  constructor(
    publicUrl: string,
    private readonly listeningAt: string,
  ) {
    this.publicOrigin = new URL(publicUrl).origin;
  }

  /** Opens `url` (GET), or submits a form to it (POST), without following a redirect. */
  async open(url: string | URL, form?: URLSearchParams): Promise<Response> {
    const address = new URL(url);
    if (address.origin !== this.publicOrigin) throw new DemoJourneyError(`the journey led away from this server, to ${address.origin}`);
    const headers: Record<string, string> = {};
    const cookie = this.cookiesFor(address);
    if (cookie) headers.cookie = cookie;
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(new URL(`${address.pathname}${address.search}`, this.listeningAt), {
      method: form ? "POST" : "GET",
      headers,
      body: form?.toString(),
      redirect: "manual",
      signal: AbortSignal.timeout(requestTimeoutMs),
    }).catch((error: unknown) => {
      throw new DemoJourneyError(`${form ? "POST" : "GET"} ${address.pathname} at ${this.listeningAt}: ${reasonOf(error)}`);
    });
    for (const header of response.headers.getSetCookie()) this.keep(address, header);
    return response;
  }

  /** Where a redirect answer sends the browser (relative locations resolved against `from`). */
  static redirectTarget(response: Response, from: string | URL, step: string): URL {
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || !location) throw new DemoJourneyError(`${step}: expected a redirect, got ${response.status}`);
    return new URL(location, from);
  }

  private cookiesFor(address: URL): string {
    return this.cookies
      .filter((cookie) => cookie.host === address.host && pathMatches(address.pathname, cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join("; ");
  }

  /** RFC 6265 §5.2, the part the app's cookies use: name=value, Path (default: the request's directory), Max-Age. */
  private keep(address: URL, header: string): void {
    const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
    const equals = pair.indexOf("=");
    if (equals <= 0) return;
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    let path = address.pathname.slice(0, Math.max(1, address.pathname.lastIndexOf("/")));
    let expired = false;
    for (const attribute of attributes) {
      const [key = "", attributeValue = ""] = attribute.split("=");
      if (key.toLowerCase() === "path" && attributeValue.startsWith("/")) path = attributeValue;
      if (key.toLowerCase() === "max-age" && Number(attributeValue) <= 0) expired = true;
    }
    const at = this.cookies.findIndex((cookie) => cookie.host === address.host && cookie.path === path && cookie.name === name);
    if (at >= 0) this.cookies.splice(at, 1);
    if (!expired) this.cookies.push({ host: address.host, path, name, value });
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  return requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/"));
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Text of an HTML attribute or element as the browser reads it (the entities the pages here use). */
export function htmlText(html: string): string {
  return html.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith("#x") || entity.startsWith("#X")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
    return entities[entity.toLowerCase()] ?? whole;
  });
}

/**
 * The page's form as a person submits it by pressing the submit button labelled `label`: its
 * action (resolved against the page's address), its hidden fields and the button's own name=value.
 */
export function pressFormButton(html: string, pageUrl: string | URL, label: string): { action: URL; fields: URLSearchParams } {
  const form = /<form\b[^>]*\bmethod="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new DemoJourneyError("the page has no form to post");
  const action = /\baction="([^"]*)"/i.exec(form[0])?.[1] ?? "";
  const fields = new URLSearchParams();
  for (const input of (form[1] ?? "").matchAll(/<input\b[^>]*\btype="hidden"[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? "";
    if (name) fields.append(htmlText(name), htmlText(value));
  }
  const button = [...(form[1] ?? "").matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)].find((match) => htmlText((match[2] ?? "").trim()) === label);
  if (!button) throw new DemoJourneyError(`the page has no "${label}" button`);
  const name = /\bname="([^"]*)"/i.exec(button[1] ?? "")?.[1];
  if (name) fields.append(htmlText(name), htmlText(/\bvalue="([^"]*)"/i.exec(button[1] ?? "")?.[1] ?? ""));
  return { action: new URL(htmlText(action), pageUrl), fields };
}
