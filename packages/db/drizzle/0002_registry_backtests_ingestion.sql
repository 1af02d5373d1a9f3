CREATE TABLE "backtest" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"symbol" text NOT NULL,
	"exchange" text NOT NULL,
	"asset_class" text NOT NULL,
	"timeframe" text NOT NULL,
	"start_date" timestamp with time zone NOT NULL,
	"end_date" timestamp with time zone NOT NULL,
	"initial_balance" double precision NOT NULL,
	"strategy" text NOT NULL,
	"strategy_source" text NOT NULL,
	"strategy_runtime" text NOT NULL,
	"strategy_version" text,
	"strategy_version_id" text,
	"artifact_sha256" text,
	"parameters" jsonb NOT NULL,
	"execution_config" jsonb,
	"workflow_id" text,
	"bars_total" integer,
	"bars_done" integer DEFAULT 0 NOT NULL,
	"bars_hash" text,
	"metrics" jsonb,
	"final_equity" double precision,
	"trade_count" integer,
	"equity_key" text,
	"error_message" text,
	"rerun_of" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "backtest_trade" (
	"backtest_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"size" double precision NOT NULL,
	"entry_price" double precision NOT NULL,
	"entry_time" bigint NOT NULL,
	"exit_price" double precision NOT NULL,
	"exit_time" bigint NOT NULL,
	"fees" double precision NOT NULL,
	"profit" double precision NOT NULL,
	"return_pct" double precision NOT NULL,
	"reason" text NOT NULL,
	"metadata" jsonb,
	CONSTRAINT "backtest_trade_backtest_id_seq_pk" PRIMARY KEY("backtest_id","seq")
);
--> statement-breakpoint
CREATE TABLE "ingestion_event" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"type" text NOT NULL,
	"symbol" text,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ingestion_run" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"workflow_id" text,
	"timeframe" text NOT NULL,
	"range_start" timestamp with time zone,
	"range_end" timestamp with time zone,
	"rows_written" bigint DEFAULT 0 NOT NULL,
	"error" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ingestion_run_symbol" (
	"run_id" text NOT NULL,
	"symbol" text NOT NULL,
	"status" text NOT NULL,
	"rows_written" bigint DEFAULT 0 NOT NULL,
	"last_bar_time" bigint,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingestion_run_symbol_run_id_symbol_pk" PRIMARY KEY("run_id","symbol")
);
--> statement-breakpoint
CREATE TABLE "market_symbol" (
	"symbol" text PRIMARY KEY NOT NULL,
	"asset_class" text NOT NULL,
	"source" text NOT NULL,
	"source_symbol" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"synthetic" boolean DEFAULT false NOT NULL,
	"available_from" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_definition" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"runtime_type" text NOT NULL,
	"language" text NOT NULL,
	"default_frequency" text NOT NULL,
	"min_candles" integer NOT NULL,
	"lookback_candles" integer NOT NULL,
	"default_config" jsonb NOT NULL,
	"parameter_schema" jsonb NOT NULL,
	"is_public" boolean DEFAULT false NOT NULL,
	"owner_id" text NOT NULL,
	"current_version_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_version" (
	"id" text PRIMARY KEY NOT NULL,
	"strategy_id" text NOT NULL,
	"version" text NOT NULL,
	"runtime_config" jsonb NOT NULL,
	"artifact_key" text,
	"artifact_sha256" text,
	"artifact_size" integer,
	"artifact_file_name" text,
	"artifact_content_type" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "backtest" ADD CONSTRAINT "backtest_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backtest" ADD CONSTRAINT "backtest_strategy_version_id_strategy_version_id_fk" FOREIGN KEY ("strategy_version_id") REFERENCES "public"."strategy_version"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backtest_trade" ADD CONSTRAINT "backtest_trade_backtest_id_backtest_id_fk" FOREIGN KEY ("backtest_id") REFERENCES "public"."backtest"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingestion_event" ADD CONSTRAINT "ingestion_event_run_id_ingestion_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."ingestion_run"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingestion_run_symbol" ADD CONSTRAINT "ingestion_run_symbol_run_id_ingestion_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."ingestion_run"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_definition" ADD CONSTRAINT "strategy_definition_owner_id_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_version" ADD CONSTRAINT "strategy_version_strategy_id_strategy_definition_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategy_definition"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backtest_user_created_idx" ON "backtest" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "backtest_user_status_idx" ON "backtest" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "ingestion_event_run_idx" ON "ingestion_event" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "ingestion_run_created_idx" ON "ingestion_run" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ingestion_run_status_idx" ON "ingestion_run" USING btree ("status");--> statement-breakpoint
CREATE INDEX "market_symbol_enabled_idx" ON "market_symbol" USING btree ("enabled") WHERE "market_symbol"."enabled";--> statement-breakpoint
CREATE UNIQUE INDEX "strategy_definition_slug_idx" ON "strategy_definition" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "strategy_definition_owner_idx" ON "strategy_definition" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "strategy_definition_public_idx" ON "strategy_definition" USING btree ("is_public") WHERE "strategy_definition"."is_public";--> statement-breakpoint
CREATE UNIQUE INDEX "strategy_version_strategy_version_idx" ON "strategy_version" USING btree ("strategy_id","version");--> statement-breakpoint
CREATE INDEX "strategy_version_strategy_created_idx" ON "strategy_version" USING btree ("strategy_id","created_at");