import http from "node:http";

export type HttpReply = { status: number; text: string };

/**
 * A minimal keep-alive HTTP client on node:http: cheaper per request than fetch, which matters
 * when the load generator shares two cores with the server and PostgreSQL.
 */
export function httpClient(baseUrl: string, maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);
  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
    new Promise<HttpReply>((resolve, reject) => {
      const request = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path: `${base.pathname.replace(/\/$/, "")}${path}`,
          headers: body ? { ...headers, "content-length": String(body.length) } : headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  return {
    get: (path: string, token: string) => send("GET", path, { authorization: `Bearer ${token}` }),
    post: (path: string, headers: Record<string, string>, body: Buffer) => send("POST", path, headers, body),
    close: () => agent.destroy(),
  };
}

export type HttpClient = ReturnType<typeof httpClient>;
