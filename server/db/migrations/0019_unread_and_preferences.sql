CREATE TABLE "chat_reads" (
	"workspace_id" text NOT NULL,
	"member_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"read_through_at" timestamp (6) with time zone,
	"read_through_id" text,
	"marked_unread" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_reads_workspace_id_member_id_chat_id_pk" PRIMARY KEY("workspace_id","member_id","chat_id")
);
--> statement-breakpoint
CREATE TABLE "member_preferences" (
	"workspace_id" text NOT NULL,
	"member_id" text NOT NULL,
	"desktop_notifications" boolean DEFAULT false NOT NULL,
	"notification_sound" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_preferences_workspace_id_member_id_pk" PRIMARY KEY("workspace_id","member_id")
);
--> statement-breakpoint
ALTER TABLE "chat_reads" ADD CONSTRAINT "chat_reads_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_reads" ADD CONSTRAINT "chat_reads_workspace_id_member_id_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","member_id") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_reads" ADD CONSTRAINT "chat_reads_workspace_id_chat_id_chats_workspace_id_id_fk" FOREIGN KEY ("workspace_id","chat_id") REFERENCES "public"."chats"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_preferences" ADD CONSTRAINT "member_preferences_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_preferences" ADD CONSTRAINT "member_preferences_workspace_id_member_id_members_workspace_id_id_fk" FOREIGN KEY ("workspace_id","member_id") REFERENCES "public"."members"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chat_reads_marked_idx" ON "chat_reads" USING btree ("workspace_id","member_id") WHERE "chat_reads"."marked_unread";--> statement-breakpoint
CREATE INDEX "messages_inbound_idx" ON "messages" USING btree ("workspace_id","chat_id","created_at","id") WHERE "messages"."direction" = 'in';