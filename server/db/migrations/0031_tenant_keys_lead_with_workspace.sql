CREATE TABLE "pipedrive_installation_routes" (
	"company_id" bigint NOT NULL,
	"pipedrive_user_id" bigint NOT NULL,
	"workspace_id" text NOT NULL,
	CONSTRAINT "pipedrive_installation_routes_company_id_pipedrive_user_id_pk" PRIMARY KEY("company_id","pipedrive_user_id")
);
--> statement-breakpoint
CREATE TABLE "pipedrive_unclaimed_installations" (
	"company_id" bigint NOT NULL,
	"pipedrive_user_id" bigint NOT NULL,
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
	CONSTRAINT "pipedrive_unclaimed_installations_company_id_pipedrive_user_id_pk" PRIMARY KEY("company_id","pipedrive_user_id")
);
--> statement-breakpoint
-- Hand-written (data): installations linked to no workspace (a Marketplace install not claimed
-- yet) move to pipedrive_unclaimed_installations; each linked one gets its route.
INSERT INTO "pipedrive_unclaimed_installations" ("company_id", "pipedrive_user_id", "name", "access_token_encrypted", "refresh_token_encrypted",
	"scope", "api_domain", "expires_at", "status", "status_reason", "created_at", "updated_at")
SELECT "company_id", "pipedrive_user_id", "name", "access_token_encrypted", "refresh_token_encrypted",
	"scope", "api_domain", "expires_at", "status", "status_reason", "created_at", "updated_at"
FROM "pipedrive_installations" WHERE "workspace_id" IS NULL;
--> statement-breakpoint
DELETE FROM "pipedrive_installations" WHERE "workspace_id" IS NULL;
--> statement-breakpoint
INSERT INTO "pipedrive_installation_routes" ("company_id", "pipedrive_user_id", "workspace_id")
SELECT "company_id", "pipedrive_user_id", "workspace_id" FROM "pipedrive_installations";
--> statement-breakpoint
-- Hand-written (data): a user link outside its portal's workspace (none should exist) could not keep the new foreign key.
DELETE FROM "hubspot_user_links" l WHERE NOT EXISTS (
	SELECT 1 FROM "hubspot_installations" i WHERE i."hub_id" = l."hub_id" AND i."workspace_id" = l."workspace_id");
--> statement-breakpoint
ALTER TABLE "hubspot_user_links" DROP CONSTRAINT "hubspot_user_links_hub_id_hubspot_installations_hub_id_fk";
--> statement-breakpoint
ALTER TABLE "hubspot_log_entries" DROP CONSTRAINT "hubspot_log_entries_hub_id_workspace_id_chat_id_day_part_pk";--> statement-breakpoint
ALTER TABLE "hubspot_message_logs" DROP CONSTRAINT "hubspot_message_logs_hub_id_workspace_id_message_id_pk";--> statement-breakpoint
ALTER TABLE "hubspot_user_links" DROP CONSTRAINT "hubspot_user_links_hub_id_hubspot_user_id_pk";--> statement-breakpoint
ALTER TABLE "pipedrive_installations" DROP CONSTRAINT "pipedrive_installations_company_id_pipedrive_user_id_pk";--> statement-breakpoint
ALTER TABLE "pipedrive_installations" ALTER COLUMN "workspace_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "hubspot_log_entries" ADD CONSTRAINT "hubspot_log_entries_workspace_id_hub_id_chat_id_day_part_pk" PRIMARY KEY("workspace_id","hub_id","chat_id","day","part");--> statement-breakpoint
ALTER TABLE "hubspot_message_logs" ADD CONSTRAINT "hubspot_message_logs_workspace_id_hub_id_message_id_pk" PRIMARY KEY("workspace_id","hub_id","message_id");--> statement-breakpoint
ALTER TABLE "hubspot_user_links" ADD CONSTRAINT "hubspot_user_links_workspace_id_hub_id_hubspot_user_id_pk" PRIMARY KEY("workspace_id","hub_id","hubspot_user_id");--> statement-breakpoint
ALTER TABLE "pipedrive_installations" ADD CONSTRAINT "pipedrive_installations_workspace_id_company_id_pipedrive_user_id_pk" PRIMARY KEY("workspace_id","company_id","pipedrive_user_id");--> statement-breakpoint
ALTER TABLE "pipedrive_installation_routes" ADD CONSTRAINT "pipedrive_installation_routes_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pipedrive_installation_routes_workspace_key" ON "pipedrive_installation_routes" USING btree ("workspace_id","company_id","pipedrive_user_id");--> statement-breakpoint
-- Hand-moved: the foreign key below needs this unique index first.
CREATE UNIQUE INDEX "hubspot_installations_workspace_hub_key" ON "hubspot_installations" USING btree ("workspace_id","hub_id");--> statement-breakpoint
ALTER TABLE "hubspot_user_links" ADD CONSTRAINT "hubspot_user_links_installation_fk" FOREIGN KEY ("workspace_id","hub_id") REFERENCES "public"."hubspot_installations"("workspace_id","hub_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_installations" ADD CONSTRAINT "pipedrive_installations_route_fk" FOREIGN KEY ("workspace_id","company_id","pipedrive_user_id") REFERENCES "public"."pipedrive_installation_routes"("workspace_id","company_id","pipedrive_user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hubspot_user_links_user_idx" ON "hubspot_user_links" USING btree ("hub_id","hubspot_user_id");--> statement-breakpoint
CREATE INDEX "pipedrive_installations_user_idx" ON "pipedrive_installations" USING btree ("company_id","pipedrive_user_id");