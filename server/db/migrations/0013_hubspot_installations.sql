CREATE TABLE "hubspot_installations" (
	"hub_id" bigint PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"connected_by" text NOT NULL,
	"hubspot_user_id" bigint NOT NULL,
	"hub_domain" text,
	"scopes" text NOT NULL,
	"access_token_encrypted" text,
	"refresh_token_encrypted" text,
	"access_token_expires_at" timestamp with time zone,
	"status" text DEFAULT 'connected' NOT NULL,
	"status_reason" text,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hubspot_installations" ADD CONSTRAINT "hubspot_installations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hubspot_installations_workspace_key" ON "hubspot_installations" USING btree ("workspace_id");