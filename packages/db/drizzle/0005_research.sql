CREATE TABLE "research_monte_carlo" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"backtest_id" text NOT NULL,
	"options" jsonb NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "research_sweep" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"base" jsonb NOT NULL,
	"execution_config" jsonb NOT NULL,
	"strategy" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"axes" jsonb NOT NULL,
	"search" jsonb NOT NULL,
	"metric" text NOT NULL,
	"walk_forward" jsonb,
	"combinations" jsonb NOT NULL,
	"combinations_total" integer NOT NULL,
	"combinations_skipped" integer NOT NULL,
	"work_done" integer DEFAULT 0 NOT NULL,
	"work_total" integer NOT NULL,
	"bars_total" integer,
	"summary" jsonb,
	"workflow_id" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "research_sweep_result" (
	"sweep_id" text NOT NULL,
	"combination" integer NOT NULL,
	"parameters" jsonb NOT NULL,
	"score" double precision,
	"metrics" jsonb NOT NULL,
	"backtest_id" text
);
--> statement-breakpoint
ALTER TABLE "research_monte_carlo" ADD CONSTRAINT "research_monte_carlo_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_monte_carlo" ADD CONSTRAINT "research_monte_carlo_backtest_id_backtest_id_fk" FOREIGN KEY ("backtest_id") REFERENCES "public"."backtest"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_sweep" ADD CONSTRAINT "research_sweep_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_sweep_result" ADD CONSTRAINT "research_sweep_result_sweep_id_research_sweep_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."research_sweep"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_sweep_result" ADD CONSTRAINT "research_sweep_result_backtest_id_backtest_id_fk" FOREIGN KEY ("backtest_id") REFERENCES "public"."backtest"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "research_monte_carlo_user_created_idx" ON "research_monte_carlo" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "research_sweep_user_created_idx" ON "research_sweep" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "research_sweep_user_status_idx" ON "research_sweep" USING btree ("user_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "research_sweep_result_pk" ON "research_sweep_result" USING btree ("sweep_id","combination");