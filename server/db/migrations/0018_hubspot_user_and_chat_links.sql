CREATE TABLE "hubspot_chat_links" (
	"workspace_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"hub_id" bigint NOT NULL,
	"contact_id" text NOT NULL,
	"deal_id" text NOT NULL,
	"linked_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hubspot_chat_links_workspace_id_chat_id_pk" PRIMARY KEY("workspace_id","chat_id")
);
--> statement-breakpoint
CREATE TABLE "hubspot_user_links" (
	"hub_id" bigint NOT NULL,
	"hubspot_user_id" bigint NOT NULL,
	"workspace_id" text NOT NULL,
	"member_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hubspot_user_links_hub_id_hubspot_user_id_pk" PRIMARY KEY("hub_id","hubspot_user_id")
);
--> statement-breakpoint
ALTER TABLE "hubspot_chat_links" ADD CONSTRAINT "hubspot_chat_links_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_chat_links" ADD CONSTRAINT "hubspot_chat_links_hub_id_hubspot_installations_hub_id_fk" FOREIGN KEY ("hub_id") REFERENCES "public"."hubspot_installations"("hub_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_chat_links" ADD CONSTRAINT "hubspot_chat_links_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_user_links" ADD CONSTRAINT "hubspot_user_links_hub_id_hubspot_installations_hub_id_fk" FOREIGN KEY ("hub_id") REFERENCES "public"."hubspot_installations"("hub_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_user_links" ADD CONSTRAINT "hubspot_user_links_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hubspot_user_links" ADD CONSTRAINT "hubspot_user_links_workspace_id_member_id_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","member_id") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hubspot_user_links_member_key" ON "hubspot_user_links" USING btree ("workspace_id","hub_id","member_id");