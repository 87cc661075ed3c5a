-- Talvix core schema. Runs on PostgreSQL 15 (Supabase) and newer.
-- Every table has row-level security enabled and no policies: Supabase's anon/authenticated API keys
-- see nothing; Talvix connects as the owning role, which RLS does not restrict.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Candidates (job seekers). Email and phone are AES-256-GCM ciphertext; email_hash is a keyed HMAC
-- so lookups by email work without storing it in clear.
CREATE TABLE IF NOT EXISTS candidates (
    id              bigserial PRIMARY KEY,
    full_name       text NOT NULL DEFAULT '',
    email_enc       bytea,
    email_hash      bytea UNIQUE,
    phone_enc       bytea,
    secrets_enc     bytea,                       -- encrypted JSON: site credentials, tokens
    location        text,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    apply_policy    text NOT NULL DEFAULT 'when_uncertain' CHECK (apply_policy IN ('always', 'when_uncertain', 'never')),
    profile         jsonb NOT NULL DEFAULT '{}'::jsonb,   -- parsed resume + profile file, PII removed
    resume_path     text,
    resume_sha256   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Jobs: one posting is one row whatever URL it was seen under (canonical_key, job_urls).
CREATE TABLE IF NOT EXISTS jobs (
    id              bigserial PRIMARY KEY,
    canonical_key   text NOT NULL UNIQUE,          -- e.g. greenhouse:<board>:<id>
    source          text NOT NULL,
    company         text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    location        text NOT NULL DEFAULT '',
    workplace       text,                          -- onsite | hybrid | remote
    url             text,
    apply_url       text,
    ats             text,
    site            text,                          -- host the apply engine talks to (rate budgets)
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    description     text NOT NULL DEFAULT '',
    description_sha256 text,
    salary          jsonb,
    parsed          jsonb,
    raw             jsonb,
    posted_at       timestamptz,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS jobs_status_idx ON jobs (status, id);
CREATE INDEX IF NOT EXISTS jobs_source_idx ON jobs (source);

CREATE TABLE IF NOT EXISTS job_urls (
    url             text PRIMARY KEY,
    job_id          bigint NOT NULL REFERENCES jobs(id) ON DELETE CASCADE
);

-- Applications: unique (candidate, job) forbids a second application to one posting.
CREATE TABLE IF NOT EXISTS applications (
    id              bigserial PRIMARY KEY,
    candidate_id    bigint NOT NULL REFERENCES candidates(id),
    job_id          bigint NOT NULL REFERENCES jobs(id),
    status          text NOT NULL DEFAULT 'matched' CHECK (status IN (
                        'matched', 'preparing', 'ready', 'awaiting_approval', 'applying', 'submitted',
                        'failed', 'unknown_outcome', 'needs_human', 'withdrawn')),
    score           real,
    score_breakdown jsonb,
    decision        text,                           -- apply | review | skip
    answer_sheet    jsonb,
    documents       jsonb NOT NULL DEFAULT '{}'::jsonb,   -- kind -> {path, sha256}
    -- Exactly-once submission: the marker is committed (lease-fenced) before the submit click.
    submit_marker_at     timestamptz,
    submit_marker_task   bigint,
    submit_marker_runner text,
    submitted_at    timestamptz,
    confirmation    jsonb,
    receipt_path    text,
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (candidate_id, job_id)
);
CREATE INDEX IF NOT EXISTS applications_status_idx ON applications (status, id);
CREATE INDEX IF NOT EXISTS applications_job_idx ON applications (job_id);

-- Tasks: every unit of work. Lease/heartbeat columns are deliberately not indexed (HOT updates).
CREATE TABLE IF NOT EXISTS tasks (
    id              bigserial PRIMARY KEY,
    agent           text NOT NULL,
    payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN (
                        'queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled',
                        'awaiting_approval', 'needs_human')),
    priority        integer NOT NULL DEFAULT 0,
    run_at          timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    max_attempts    integer NOT NULL DEFAULT 5,
    lease_until     timestamptz,
    locked_by       text,
    last_error      text,
    result          jsonb,
    idempotency_key text,
    candidate_id    bigint REFERENCES candidates(id),
    job_id          bigint REFERENCES jobs(id),
    application_id  bigint REFERENCES applications(id),
    parent_id       bigint,
    site            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
) WITH (fillfactor = 80);
-- Idempotency: unique where set (most tasks have no key; a partial index costs them nothing).
CREATE UNIQUE INDEX IF NOT EXISTS tasks_idempotency_key ON tasks (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The claim path: eligible rows per agent in claim order.
CREATE INDEX IF NOT EXISTS tasks_claim_idx ON tasks (agent, priority DESC, run_at, id)
    WHERE status IN ('queued', 'failed');
CREATE INDEX IF NOT EXISTS tasks_status_idx ON tasks (status, agent, id);
CREATE INDEX IF NOT EXISTS tasks_running_idx ON tasks (agent) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS tasks_agent_id_idx ON tasks (agent, id);
CREATE INDEX IF NOT EXISTS tasks_application_idx ON tasks (application_id) WHERE application_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_candidate_idx ON tasks (candidate_id) WHERE candidate_id IS NOT NULL;

-- Events: append-only log of every state change and every agent log line.
CREATE TABLE IF NOT EXISTS events (
    id              bigserial PRIMARY KEY,
    ts              timestamptz NOT NULL DEFAULT now(),
    level           text NOT NULL DEFAULT 'info' CHECK (level IN ('debug', 'info', 'warning', 'error')),
    kind            text NOT NULL DEFAULT 'log',    -- log | state | audit | llm | site
    agent           text,
    task_id         bigint,
    candidate_id    bigint,
    job_id          bigint,
    application_id  bigint,
    runner_id       text,
    message         text NOT NULL,
    data            jsonb
);
CREATE INDEX IF NOT EXISTS events_task_idx ON events (task_id, id) WHERE task_id IS NOT NULL;
-- Routine state changes (info-level 'state' rows: queued, running, succeeded) are most of the log; they are
-- found through their task. The per-agent and text indexes cover the rest, which keeps writes cheap.
CREATE INDEX IF NOT EXISTS events_agent_idx ON events (agent, id) WHERE kind <> 'state' OR level <> 'info';
CREATE INDEX IF NOT EXISTS events_level_idx ON events (level, id) WHERE level IN ('warning', 'error');
CREATE INDEX IF NOT EXISTS events_candidate_idx ON events (candidate_id, id) WHERE candidate_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_ts_brin ON events USING brin (ts);  -- retention; cheap to maintain
CREATE INDEX IF NOT EXISTS events_message_trgm ON events USING gin (message gin_trgm_ops)
    WHERE kind <> 'state' OR level <> 'info';

-- Runners on every host, with heartbeats the console lists.
CREATE TABLE IF NOT EXISTS runners (
    id              text PRIMARY KEY,
    host            text NOT NULL,
    pid             integer NOT NULL,
    agents          text[] NOT NULL DEFAULT '{}',
    concurrency     integer NOT NULL DEFAULT 1,
    version         text,
    mode            text NOT NULL DEFAULT 'headless',   -- headless | console
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopping', 'gone')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    heartbeat_at    timestamptz NOT NULL DEFAULT now(),
    stopped_at      timestamptz,
    info            jsonb NOT NULL DEFAULT '{}'::jsonb
) WITH (fillfactor = 70);

-- Global per-agent controls that every runner on every host obeys.
CREATE TABLE IF NOT EXISTS agent_controls (
    agent           text PRIMARY KEY,
    paused          boolean NOT NULL DEFAULT false,
    max_concurrency integer CHECK (max_concurrency IS NULL OR max_concurrency >= 0),
    reason          text,
    updated_by      text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Sites (employer hosts / ATSes / job sources): budgets and soft-block pauses.
CREATE TABLE IF NOT EXISTS sites (
    site            text PRIMARY KEY,
    paused          boolean NOT NULL DEFAULT false,
    paused_until    timestamptz,
    pause_reason    text,
    min_interval_s  real,
    daily_cap       integer,
    last_action_at  timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Files under the storage root; the database keeps the relative path and the content hash.
CREATE TABLE IF NOT EXISTS artifacts (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    path            text NOT NULL,
    sha256          text NOT NULL,
    size_bytes      bigint NOT NULL,
    mime            text,
    candidate_id    bigint,
    job_id          bigint,
    application_id  bigint,
    task_id         bigint,
    meta            jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS artifacts_application_idx ON artifacts (application_id, id) WHERE application_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS artifacts_candidate_idx ON artifacts (candidate_id, id) WHERE candidate_id IS NOT NULL;

-- Every operator action: who (OS user@host), what, when.
CREATE TABLE IF NOT EXISTS operator_actions (
    id              bigserial PRIMARY KEY,
    ts              timestamptz NOT NULL DEFAULT now(),
    actor           text NOT NULL,
    action          text NOT NULL,
    target_type     text,
    target_ids      bigint[],
    details         jsonb
);

-- Live apply sessions for the console's sessions view.
CREATE TABLE IF NOT EXISTS apply_sessions (
    id              bigserial PRIMARY KEY,
    application_id  bigint REFERENCES applications(id),
    task_id         bigint,
    runner_id       text,
    site            text,
    step            text NOT NULL DEFAULT 'starting',
    url             text,
    last_screenshot text,
    started_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    ended_at        timestamptz,
    outcome         text
);
CREATE INDEX IF NOT EXISTS apply_sessions_live_idx ON apply_sessions (id) WHERE ended_at IS NULL;

-- Outbound notifications (WhatsApp, email), each sent exactly once by its idempotency key.
CREATE TABLE IF NOT EXISTS notifications (
    id              bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    candidate_id    bigint REFERENCES candidates(id),
    application_id  bigint REFERENCES applications(id),
    channel         text NOT NULL,                  -- whatsapp | email
    template        text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    provider_ref    text,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);

-- Outcomes that calibration learns from (interview, rejection, offer, no_response...).
CREATE TABLE IF NOT EXISTS outcomes (
    id              bigserial PRIMARY KEY,
    application_id  bigint NOT NULL REFERENCES applications(id),
    kind            text NOT NULL,
    source          text,
    details         jsonb,
    ts              timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE candidates       ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs             ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_urls         ENABLE ROW LEVEL SECURITY;
ALTER TABLE applications     ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks            ENABLE ROW LEVEL SECURITY;
ALTER TABLE events           ENABLE ROW LEVEL SECURITY;
ALTER TABLE runners          ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_controls   ENABLE ROW LEVEL SECURITY;
ALTER TABLE sites            ENABLE ROW LEVEL SECURITY;
ALTER TABLE artifacts        ENABLE ROW LEVEL SECURITY;
ALTER TABLE operator_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE apply_sessions   ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications    ENABLE ROW LEVEL SECURITY;
ALTER TABLE outcomes         ENABLE ROW LEVEL SECURITY;
