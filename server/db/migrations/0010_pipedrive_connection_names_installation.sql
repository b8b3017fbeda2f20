DROP TABLE "pipedrive_individual_connections" CASCADE;--> statement-breakpoint
ALTER TABLE "pipedrive_connections" DROP COLUMN "access_token_encrypted";--> statement-breakpoint
ALTER TABLE "pipedrive_connections" DROP COLUMN "refresh_token_encrypted";--> statement-breakpoint
ALTER TABLE "pipedrive_connections" DROP COLUMN "scope";--> statement-breakpoint
ALTER TABLE "pipedrive_connections" DROP COLUMN "api_domain";--> statement-breakpoint
ALTER TABLE "pipedrive_connections" DROP COLUMN "expires_at";--> statement-breakpoint
ALTER TABLE "pipedrive_connections" DROP COLUMN "status";--> statement-breakpoint
ALTER TABLE "pipedrive_connections" DROP COLUMN "status_reason";