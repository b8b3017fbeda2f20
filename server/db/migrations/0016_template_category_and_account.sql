ALTER TABLE "templates" ADD COLUMN "meta_category" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "account_id" text;