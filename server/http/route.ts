import type { Request, Response } from "express";
import type { z } from "zod";
import type { AuditEntryInput } from "../audit/recorder";
import type { Executor } from "../db/client";
import type { Principal } from "../identity/tokens";
import type { Permission } from "../permissions";
import type { Services } from "../services";

/** Who may call a route: anyone, any active member, or members holding a permission. */
export type Access = { kind: "public"; why: string } | { kind: "member" } | { kind: "permission"; permission: Permission };

export const publicAccess = (why: string) => ({ kind: "public", why }) as const;
export const anyMember = { kind: "member" } as const;
/** The route needs this permission at some level; checked before any lookup (403). */
export const requires = (permission: Permission) => ({ kind: "permission", permission }) as const;

export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { status: number; csv: string; filename: string }
  | { status: number; text: string }
  /** Bytes as they are (a media file), with the headers that say what they are. */
  | { status: number; file: Buffer; headers: Record<string, string> }
  /** The handler wrote the response itself (server-sent events). */
  | { streamed: true };

export type RequestMeta = { ip: string | null; userAgent: string | null };

type AuditInput = Omit<AuditEntryInput, "workspaceId" | "actorId" | "ip" | "userAgent"> & Partial<Pick<AuditEntryInput, "workspaceId" | "actorId">>;

export type Context<Body, Query, Params, Auth> = {
  services: Services;
  actor: Auth;
  body: Body;
  query: Query;
  params: Params;
  /** The request's transaction for mutations; the database for reads. */
  db: Executor;
  meta: RequestMeta;
  request: Request;
  response: Response;
  /** Writes an activity-log entry in this request's transaction (or in `executor`'s). */
  audit(entry: AuditInput, executor?: Executor): Promise<void>;
};

export type RouteDefinition = {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Response documentation for OpenAPI: status → description. */
  responses: Record<number, string>;
  /** Set, with the reason, on a mutating route that writes no activity-log entry. */
  auditExempt?: string;
  /** The handler opens its own transactions (it calls a provider between them). */
  ownTransactions?: boolean;
  /** Honour an Idempotency-Key header: same key and body within 24 h → the first answer. */
  idempotent?: boolean;
  /** A suspended member may call it (to log out). */
  allowSuspended?: boolean;
  /** Hand the handler the raw bytes (`request.body` as a Buffer) instead of parsed JSON. */
  rawBody?: boolean;
  /** A larger JSON body than the default 100 kB (e.g. "5mb" for a campaign's recipient list). */
  bodyLimit?: string;
  handler(context: Context<unknown, unknown, unknown, Principal | null>): Promise<Reply>;
};

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

/** Declares a route; the registry enforces access, validation and the activity log for it. */
export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  A extends Access = Access,
>(definition: {
  method: RouteDefinition["method"];
  path: string;
  summary: string;
  tag: string;
  access: A;
  body?: B;
  query?: Q;
  params?: P;
  responses: Record<number, string>;
  auditExempt?: string;
  ownTransactions?: boolean;
  idempotent?: boolean;
  rawBody?: boolean;
  bodyLimit?: string;
  allowSuspended?: boolean;
  handler(context: Context<Infer<B>, Infer<Q>, Infer<P>, [A] extends [{ kind: "public" }] ? Principal | null : Principal>): Promise<Reply>;
}): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
