import { existsSync } from "node:fs";
import path from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { z } from "zod";
import { canonicalJson, recordAudit } from "../audit/recorder";
import { demoCrmPath, demoHubspotPath } from "../config";
import { isConnectionLost } from "../db/connection-errors";
import { demoCrmRouter } from "../demo-crm/router";
import { type Principal, resolvePrincipal } from "../identity/tokens";
import { openApiDocument } from "../openapi/document";
import { InvariantViolation, PermissionDenied, requirePermission, suspendedSentence } from "../permissions";
import type { Services } from "../services";
import { withIdempotency } from "./idempotency";
import { HttpProblem, invalidRequest, unauthenticated } from "./problem";
import { allRoutes } from "./registry";
import type { Reply, RequestMeta, RouteDefinition } from "./route";

export const apiPrefix = "/api/v1";

/** Builds the Express application: the API under /api/v1 and the built web UI, if present. */
export function createApp(services: Services, options: { webRoot?: string } = {}) {
  const app = express();
  app.disable("x-powered-by");
  // The Pipedrive surfaces are iframes inside Pipedrive; everything else may not be framed.
  const embeddableInPipedrive = helmet({
    frameguard: false,
    contentSecurityPolicy: { directives: { frameAncestors: ["'self'", "https://*.pipedrive.com"] } },
  });
  // HubSpot's card opens /hubspot/ in its iframe modal (openIframeModal) from the app's hosts (hubspot.md §2; the EU host [U]).
  const embeddableInHubspot = helmet({
    frameguard: false,
    contentSecurityPolicy: { directives: { frameAncestors: ["'self'", "https://app.hubspot.com", "https://app-eu1.hubspot.com"] } },
  });
  const standardHeaders = helmet();
  app.use((request, response, next) =>
    (request.path.startsWith("/pipedrive/") ? embeddableInPipedrive : request.path.startsWith("/hubspot/") ? embeddableInHubspot : standardHeaders)(
      request,
      response,
      next,
    ),
  );
  const api = express.Router();
  const jsonBody = express.json({ limit: "100kb", strict: true });
  const rawBody = express.raw({ type: () => true, limit: "1mb" });
  api.get("/openapi.json", (_request, response) => {
    response.json(openApiDocument(services.config.publicUrl));
  });
  for (const definition of allRoutes) {
    const bodyParser = definition.rawBody
      ? definition.bodyLimit
        ? express.raw({ type: () => true, limit: definition.bodyLimit })
        : rawBody
      : definition.bodyLimit
        ? express.json({ limit: definition.bodyLimit, strict: true })
        : jsonBody;
    // A large raw body (a file up to 100 MB) is read only for a caller whose token holds: checked before the bytes.
    const beforeBody =
      definition.rawBody && definition.bodyLimit && definition.access.kind !== "public"
        ? [
            async (request: Request, _response: Response, next: NextFunction) => {
              try {
                await authenticate(services, definition, request);
                next();
              } catch (error) {
                next(error);
              }
            },
          ]
        : [];
    api[definition.method](definition.path, ...beforeBody, bodyParser, (request, response) => handle(services, definition, request, response));
  }
  api.use((_request, _response, next) => next(new HttpProblem(404, "not_found", "Not found", "No such endpoint.")));
  api.use(errorHandler(services));
  app.use(apiPrefix, api);
  // The demo CRM and the CRM simulator are development tools: never served in production.
  if (services.config.demoCrm.enabled && services.demoCrm) app.use(demoCrmPath, demoCrmRouter(services.config, services.demoCrm));
  if (services.config.demoHubspot.enabled && services.demoHubspot) app.use(demoHubspotPath, services.demoHubspot.router);
  if (!services.config.developmentRoutes) {
    for (const devOnly of ["/simulator", "/dev"]) app.use(devOnly, (_request, response) => response.status(404).end());
  }
  if (options.webRoot && existsSync(options.webRoot)) {
    const webRoot = options.webRoot;
    app.use(express.static(webRoot));
    // Pages there are framed by Pipedrive or HubSpot: an unknown path is a 404, never the console (frameable there).
    for (const ownPagesOnly of ["/pipedrive", "/hubspot", "/simulator"]) app.use(ownPagesOnly, (_request, response) => response.status(404).end());
    app.get(/^\/(?!api\/).*/, (_request, response) => response.sendFile(path.join(webRoot, "index.html")));
  }
  return app;
}

async function handle(services: Services, definition: RouteDefinition, request: Request, response: Response) {
  const actor = await authenticate(services, definition, request);
  response.locals.actor = actor;
  if (definition.access.kind === "permission" && actor) requirePermission(actor, definition.access.permission);
  const params = parse(definition.params, request.params, "path");
  const query = parse(definition.query, request.query, "query");
  const body = definition.body ? parseBody(definition.body, request) : undefined;
  if (definition.idempotent && actor) {
    const key = request.get("idempotency-key");
    if (key) {
      const fingerprint = `${request.method} ${request.path} ${canonicalJson(request.body ?? null)}`;
      const remembered = await withIdempotency(services, actor, key, fingerprint, () =>
        execute(services, definition, { actor, params, query, body, request, response }),
      );
      send(response, remembered);
      return;
    }
  }
  send(response, await execute(services, definition, { actor, params, query, body, request, response }));
}

type Parsed = { actor: Principal | null; params: unknown; query: unknown; body: unknown; request: Request; response: Response };

async function execute(services: Services, definition: RouteDefinition, { actor, params, query, body, request, response }: Parsed): Promise<Reply> {
  const meta: RequestMeta = { ip: request.ip ?? null, userAgent: request.get("user-agent") ?? null };
  const mutating = definition.method !== "get";
  const database = services.database.db;
  const run = async (db: typeof database) => {
    let audited = false;
    const reply = await definition.handler({
      services,
      actor,
      body,
      query,
      params,
      db,
      meta,
      request,
      response,
      audit: async (entry, executor) => {
        const workspaceId = entry.workspaceId ?? actor?.workspaceId;
        if (!workspaceId) throw new Error(`${definition.path}: audit entry without a workspace`);
        const write = (executor: typeof db) =>
          recordAudit(executor, services.config.auditChainKey, {
            ...entry,
            workspaceId,
            actorId: entry.actorId === undefined ? (actor?.memberId ?? null) : entry.actorId,
            ip: meta.ip,
            userAgent: meta.userAgent,
          });
        // Reads that audit (exports) and self-managed handlers get a transaction of their own.
        await (executor ? write(executor) : inTransaction ? write(db) : database.transaction((tx) => write(tx)));
        audited = true;
      },
    });
    // Every mutation leaves a trace; a route that forgets is a bug caught in development and tests.
    if (mutating && !audited && !definition.auditExempt && "status" in reply && reply.status < 300 && services.config.nodeEnv !== "production") {
      throw new Error(`${definition.method.toUpperCase()} ${definition.path} wrote no activity-log entry`);
    }
    return reply;
  };
  const inTransaction = mutating && !definition.ownTransactions;
  return inTransaction ? await database.transaction((tx) => run(tx)) : await run(database);
}

async function authenticate(services: Services, definition: RouteDefinition, request: Request): Promise<Principal | null> {
  const header = request.get("authorization");
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) {
    if (definition.access.kind === "public") return null;
    throw unauthenticated();
  }
  const principal = await resolvePrincipal(services.database.db, token);
  if (!principal) {
    if (definition.access.kind === "public") return null;
    throw unauthenticated("The bearer token is invalid or has expired.");
  }
  if (principal.status === "suspended" && definition.access.kind !== "public" && !definition.allowSuspended) {
    throw new HttpProblem(403, "member_suspended", "Member suspended", suspendedSentence);
  }
  return principal;
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string) {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw invalidRequest(
    `The ${where} has invalid fields.`,
    result.error.issues.map((issue) => ({ path: [where, ...issue.path].join("."), message: issue.message })),
  );
}

function parseBody(schema: z.ZodType, request: Request) {
  const hasBody = Number(request.get("content-length") ?? 0) > 0 || request.get("transfer-encoding") !== undefined;
  if (hasBody && !request.is("application/json")) {
    throw new HttpProblem(415, "unsupported_media_type", "Unsupported media type", "Send the body as application/json.");
  }
  return parse(schema, request.body, "body");
}

function send(response: Response, reply: Reply) {
  if ("streamed" in reply) return;
  if ("text" in reply) {
    response.status(reply.status).type("text/plain; charset=utf-8").send(reply.text);
    return;
  }
  if ("file" in reply) {
    response.status(reply.status).set(reply.headers).end(reply.file);
    return;
  }
  if ("csv" in reply) {
    response.status(reply.status).type("text/csv; charset=utf-8").attachment(reply.filename).send(reply.csv);
    return;
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.set(name, value);
  if (reply.body === undefined) response.status(reply.status).end();
  else response.status(reply.status).json(reply.body);
}

function errorHandler(services: Services) {
  return async (error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const problem = toProblem(error);
    if (problem.code === "unavailable") services.logger.warn({ err: error, path: request.path }, "request failed: database connection lost");
    else if (problem.status >= 500) services.logger.error({ err: error, path: request.path }, "request failed");
    const actor = response.locals.actor as Principal | null | undefined;
    if (problem.code === "permission_denied" && actor && request.method !== "GET") {
      await recordDenial(services, actor, request, problem).catch((auditError) =>
        services.logger.error({ err: auditError }, "could not record a denied attempt"),
      );
    }
    if (problem.extras.retryAfterSeconds) response.set("Retry-After", String(problem.extras.retryAfterSeconds));
    response.status(problem.status).type("application/problem+json").send(JSON.stringify(problem));
  };
}

function recordDenial(services: Services, actor: Principal, request: Request, problem: HttpProblem) {
  return services.database.db.transaction((tx) =>
    recordAudit(tx, services.config.auditChainKey, {
      workspaceId: actor.workspaceId,
      actorId: actor.memberId,
      action: "permission.denied",
      targetType: "request",
      targetId: null,
      ip: request.ip ?? null,
      userAgent: request.get("user-agent") ?? null,
      details: { method: request.method, path: request.originalUrl.split("?")[0], permission: problem.extras.permission },
    }),
  );
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof PermissionDenied) {
    return new HttpProblem(403, "permission_denied", "Permission denied", error.detail, { permission: error.permission });
  }
  if (error instanceof InvariantViolation) return new HttpProblem(409, "conflict", "Conflict", error.message);
  if (error instanceof z.ZodError) {
    return invalidRequest(
      "The request has invalid fields.",
      error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  const bodyError = error as { type?: string; status?: number } | null;
  switch (bodyError?.type) {
    case "entity.parse.failed":
      return invalidRequest("The body is not valid JSON.");
    case "entity.too.large":
      return new HttpProblem(
        413,
        "payload_too_large",
        "Payload too large",
        `The body exceeds ${Math.round(((error as { limit?: number }).limit ?? 102_400) / 1024)} kB.`,
      );
    case "encoding.unsupported":
    case "charset.unsupported":
      return new HttpProblem(415, "unsupported_media_type", "Unsupported media type", "Send the body as UTF-8 JSON.");
  }
  if (isUniqueViolation(error)) return new HttpProblem(409, "conflict", "Conflict", "A record with these values already exists.");
  // The connection died under the request: its transaction was rolled back (or, if only the commit's
  // answer was lost, a retry meets the change: webhooks dedupe by wamid, API writes take an
  // Idempotency-Key). The pool connects anew, so "try again" is the honest answer, not a 500.
  if (isConnectionLost(error)) {
    return new HttpProblem(503, "unavailable", "Service unavailable", "The database connection was interrupted; try again shortly.", {
      retryAfterSeconds: 1,
    });
  }
  if (bodyError?.status && bodyError.status >= 400 && bodyError.status < 500) {
    return invalidRequest("The request could not be read.");
  }
  return new HttpProblem(500, "internal", "Internal error", "Something went wrong on our side.");
}

function isUniqueViolation(error: unknown): boolean {
  const candidates = [error, (error as { cause?: unknown })?.cause];
  return candidates.some((candidate) => (candidate as { code?: string } | null)?.code === "23505");
}
