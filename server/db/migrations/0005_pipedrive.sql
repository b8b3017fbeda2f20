CREATE TABLE "pipedrive_chat_links" (
	"workspace_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"person_id" bigint NOT NULL,
	"deal_id" bigint,
	"linked_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipedrive_chat_links_workspace_id_chat_id_pk" PRIMARY KEY("workspace_id","chat_id")
);
--> statement-breakpoint
CREATE TABLE "pipedrive_company_routes" (
	"company_id" bigint PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pipedrive_connections" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"company_id" bigint NOT NULL,
	"company_domain" text NOT NULL,
	"pipedrive_user_id" bigint NOT NULL,
	"connected_by" text NOT NULL,
	"access_token_encrypted" text NOT NULL,
	"refresh_token_encrypted" text NOT NULL,
	"scope" text NOT NULL,
	"api_domain" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'connected' NOT NULL,
	"status_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pipedrive_individual_connections" (
	"workspace_id" text NOT NULL,
	"member_id" text NOT NULL,
	"pipedrive_user_id" bigint NOT NULL,
	"company_id" bigint NOT NULL,
	"name" text NOT NULL,
	"access_token_encrypted" text NOT NULL,
	"refresh_token_encrypted" text NOT NULL,
	"scope" text NOT NULL,
	"api_domain" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'connected' NOT NULL,
	"status_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipedrive_individual_connections_workspace_id_member_id_pk" PRIMARY KEY("workspace_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "pipedrive_log_entries" (
	"workspace_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"pipedrive_id" bigint NOT NULL,
	"written_by_member_id" text,
	"person_id" bigint,
	"deal_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipedrive_log_entries_workspace_id_chat_id_day_kind_pk" PRIMARY KEY("workspace_id","chat_id","day","kind")
);
--> statement-breakpoint
CREATE TABLE "pipedrive_log_jobs" (
	"workspace_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"day" date NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipedrive_log_jobs_workspace_id_chat_id_day_pk" PRIMARY KEY("workspace_id","chat_id","day")
);
--> statement-breakpoint
CREATE TABLE "pipedrive_oauth_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pipedrive_settings" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"logging" text DEFAULT 'note' NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pipedrive_user_links" (
	"workspace_id" text NOT NULL,
	"pipedrive_user_id" bigint NOT NULL,
	"member_id" text NOT NULL,
	"linked_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pipedrive_user_links_workspace_id_pipedrive_user_id_pk" PRIMARY KEY("workspace_id","pipedrive_user_id")
);
--> statement-breakpoint
ALTER TABLE "pipedrive_chat_links" ADD CONSTRAINT "pipedrive_chat_links_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_chat_links" ADD CONSTRAINT "pipedrive_chat_links_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_company_routes" ADD CONSTRAINT "pipedrive_company_routes_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_connections" ADD CONSTRAINT "pipedrive_connections_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_individual_connections" ADD CONSTRAINT "pipedrive_individual_connections_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_individual_connections" ADD CONSTRAINT "pipedrive_individual_connections_workspace_id_member_id_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","member_id") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD CONSTRAINT "pipedrive_log_entries_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_log_entries" ADD CONSTRAINT "pipedrive_log_entries_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_log_jobs" ADD CONSTRAINT "pipedrive_log_jobs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_log_jobs" ADD CONSTRAINT "pipedrive_log_jobs_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_settings" ADD CONSTRAINT "pipedrive_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_user_links" ADD CONSTRAINT "pipedrive_user_links_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_user_links" ADD CONSTRAINT "pipedrive_user_links_workspace_id_member_id_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","member_id") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pipedrive_individual_company_idx" ON "pipedrive_individual_connections" USING btree ("workspace_id","company_id");--> statement-breakpoint
CREATE INDEX "pipedrive_log_jobs_due_idx" ON "pipedrive_log_jobs" USING btree ("workspace_id","next_attempt_at") WHERE "pipedrive_log_jobs"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "pipedrive_user_links_member_key" ON "pipedrive_user_links" USING btree ("workspace_id","member_id");