ALTER TABLE "workspaces" ADD COLUMN "agents_see_numbers" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "ownership_lock" boolean DEFAULT false NOT NULL;