CREATE TABLE "pipedrive_app_shares" (
	"company_id" bigint NOT NULL,
	"pipedrive_user_id" bigint NOT NULL,
	"is_shared" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipedrive_app_shares_company_id_pipedrive_user_id_pk" PRIMARY KEY("company_id","pipedrive_user_id")
);
--> statement-breakpoint
CREATE TABLE "pipedrive_installations" (
	"company_id" bigint NOT NULL,
	"pipedrive_user_id" bigint NOT NULL,
	"workspace_id" text,
	"member_id" text,
	"name" text DEFAULT '' NOT NULL,
	"access_token_encrypted" text NOT NULL,
	"refresh_token_encrypted" text NOT NULL,
	"scope" text NOT NULL,
	"api_domain" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'connected' NOT NULL,
	"status_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipedrive_installations_company_id_pipedrive_user_id_pk" PRIMARY KEY("company_id","pipedrive_user_id")
);
--> statement-breakpoint
ALTER TABLE "pipedrive_installations" ADD CONSTRAINT "pipedrive_installations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_installations" ADD CONSTRAINT "pipedrive_installations_workspace_id_member_id_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","member_id") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pipedrive_installations_member_key" ON "pipedrive_installations" USING btree ("workspace_id","member_id");--> statement-breakpoint
-- Carry existing installs over: each workspace connection's tokens become the installation of the
-- Pipedrive user who authorized it (serving the workspace, nobody's own connection)...
INSERT INTO "pipedrive_installations" ("company_id", "pipedrive_user_id", "workspace_id", "member_id", "name", "access_token_encrypted", "refresh_token_encrypted", "scope", "api_domain", "expires_at", "status", "status_reason", "created_at", "updated_at")
SELECT "company_id", "pipedrive_user_id", "workspace_id", NULL, '', "access_token_encrypted", "refresh_token_encrypted", "scope", "api_domain", "expires_at", "status", "status_reason", "created_at", "updated_at"
FROM "pipedrive_connections"
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- ...and each member's own connection becomes their installation (the newest one per Pipedrive
-- user). When that user also serves their workspace's connection, the two merge into one row that
-- is the member's own; an individual connection from another workspace doesn't take it over.
INSERT INTO "pipedrive_installations" ("company_id", "pipedrive_user_id", "workspace_id", "member_id", "name", "access_token_encrypted", "refresh_token_encrypted", "scope", "api_domain", "expires_at", "status", "status_reason", "created_at", "updated_at")
SELECT DISTINCT ON ("company_id", "pipedrive_user_id") "company_id", "pipedrive_user_id", "workspace_id", "member_id", "name", "access_token_encrypted", "refresh_token_encrypted", "scope", "api_domain", "expires_at", "status", "status_reason", "created_at", "updated_at"
FROM "pipedrive_individual_connections"
ORDER BY "company_id", "pipedrive_user_id", "updated_at" DESC
ON CONFLICT ("company_id", "pipedrive_user_id") DO UPDATE SET
  "member_id" = excluded."member_id",
  "name" = excluded."name",
  "access_token_encrypted" = excluded."access_token_encrypted",
  "refresh_token_encrypted" = excluded."refresh_token_encrypted",
  "scope" = excluded."scope",
  "api_domain" = excluded."api_domain",
  "expires_at" = excluded."expires_at",
  "status" = excluded."status",
  "status_reason" = excluded."status_reason",
  "updated_at" = excluded."updated_at"
WHERE "pipedrive_installations"."workspace_id" = excluded."workspace_id";
