import { z } from "zod";
import { allRoutes } from "../http/registry";
import type { RouteDefinition } from "../http/route";

type JsonSchema = { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;

function toSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, location: "query" | "path") {
  if (!schema) return [];
  const json = toSchema(schema);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const problem = { $ref: "#/components/schemas/Problem" };
const standardErrors: Record<number, string> = {
  400: "invalid_request",
  401: "unauthenticated",
  403: "permission_denied or member_suspended",
  404: "not_found",
};

function operation(definition: RouteDefinition) {
  const isPublic = definition.access.kind === "public";
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(definition.responses)) {
    responses[status] = Number(status) >= 400 ? { description, content: { "application/problem+json": { schema: problem } } } : { description };
  }
  for (const [status, description] of Object.entries(standardErrors)) {
    if (isPublic && (status === "401" || status === "403")) continue;
    responses[status] ??= { description, content: { "application/problem+json": { schema: problem } } };
  }
  const permission = definition.access.kind === "permission" ? definition.access.permission : undefined;
  return {
    summary: definition.summary,
    tags: [definition.tag],
    ...(permission ? { "x-permission": permission, description: `Requires \`${permission}\`.` } : {}),
    security: isPublic ? [] : [{ bearerAuth: [] }],
    parameters: [...parameters(definition.params, "path"), ...parameters(definition.query, "query")],
    ...(definition.body ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(definition.body) } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(publicUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const definition of allRoutes) {
    const path = definition.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[definition.method] = operation(definition);
  }
  return {
    openapi: "3.1.0",
    info: { title: "Switchboard API", version: "1.0.0", description: "WhatsApp conversations in the CRM, with roles and an activity log." },
    servers: [{ url: `${publicUrl}/api/v1` }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail", "code"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            code: { type: "string" },
            permission: { type: "string" },
            errors: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
          },
        },
      },
    },
  };
}
