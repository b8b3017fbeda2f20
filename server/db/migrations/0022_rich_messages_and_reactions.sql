CREATE TABLE "message_reactions" (
	"workspace_id" text NOT NULL,
	"message_id" text NOT NULL,
	"reactor" text NOT NULL,
	"emoji" text NOT NULL,
	"reacted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provider_message_id" text,
	CONSTRAINT "message_reactions_workspace_id_message_id_reactor_pk" PRIMARY KEY("workspace_id","message_id","reactor")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "reply_to_message_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "reply_to_provider_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "rich" jsonb;--> statement-breakpoint
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_workspace_id_message_id_messages_workspace_id_id_fk" FOREIGN KEY ("workspace_id","message_id") REFERENCES "public"."messages"("workspace_id","id") ON DELETE cascade ON UPDATE no action;