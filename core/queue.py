"""The task queue: enqueue, claim, lease, complete, fail, approve, reap.

Every state change happens in one statement or one short transaction, appends an event and sends a
``NOTIFY talvix_tasks, '<agent>'`` (Postgres folds identical notifications within a transaction, so it is
one per agent per transaction); a claim notifies ``talvix_events`` instead (it makes no work claimable) and
a plain completion ``talvix_done``. No transaction stays open while an agent works.

Fencing: heartbeat, complete, fail, release and the apply agent's submit marker all match
``id, status='running', locked_by, attempts`` together. Zero rows updated means the lease was lost
(:class:`LeaseLost`) and the worker must stop without side effects.
"""

from __future__ import annotations

import dataclasses
import functools
import getpass
import json
import operator
import random
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from core.db import Database, redact
from core.errors import InvalidInput, LeaseLost, NotFound, TalvixError
from core.models import RETRYABLE_STATES, NewTask, Task

CHANNEL_TASKS = "talvix_tasks"
CHANNEL_EVENTS = "talvix_events"
CHANNEL_DONE = "talvix_done"
DEFAULT_MAX_ATTEMPTS = 5
MAX_ERROR_CHARS = 4000

Conn = psycopg.Connection[Any]


def actor() -> str:
    """Who is acting, for the audit log: OS user@host."""
    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def clean_error(error: BaseException | str) -> str:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    text = redact(text)
    return text[:MAX_ERROR_CHARS]


def backoff_seconds(attempts: int, base: float = 5.0, cap: float = 3600.0) -> float:
    """Exponential backoff with jitter: base*2^(n-1), capped, then a random 50-100% of it."""
    if base <= 0:
        return 0.0
    raw = min(cap, base * (2 ** max(0, attempts - 1)))
    return raw * random.uniform(0.5, 1.0)


# ------------------------------------------------------------------------------------------------
# Events and audit (used inside the same transaction as the change they describe)
# ------------------------------------------------------------------------------------------------
def add_event(conn: Conn, message: str, *, level: str = "info", kind: str = "log", agent: str | None = None,
              task_id: int | None = None, candidate_id: int | None = None, job_id: int | None = None,
              application_id: int | None = None, runner_id: str | None = None,
              data: dict[str, Any] | None = None) -> None:
    add_events(conn, [{"message": message, "level": level, "kind": kind, "agent": agent, "task_id": task_id,
                       "candidate_id": candidate_id, "job_id": job_id, "application_id": application_id,
                       "runner_id": runner_id, "data": data}])


_ADD_EVENTS = """
WITH e AS (
    INSERT INTO events (level, kind, agent, task_id, candidate_id, job_id, application_id, runner_id, message, data)
    SELECT level, kind, agent, task_id, candidate_id, job_id, application_id, runner_id, message, data
      FROM jsonb_to_recordset(%(rows)s::jsonb) AS x(ord int, level text, kind text, agent text, task_id bigint,
           candidate_id bigint, job_id bigint, application_id bigint, runner_id text, message text, data jsonb)
     ORDER BY ord
    RETURNING agent
)
SELECT pg_notify(%(channel)s, COALESCE(agent, '')) FROM (SELECT DISTINCT agent FROM e) z
"""


def add_events(conn: Conn, events: Sequence[dict[str, Any]]) -> None:
    """Event rows in one statement, with one NOTIFY per agent. Keys as :func:`add_event`'s arguments:
    ``message``, and optionally ``level``, ``kind``, ``agent``, ``task_id``, ``candidate_id``, ``job_id``,
    ``application_id``, ``runner_id``, ``data``."""
    if not events:
        return
    rows = [{"ord": i, "level": e.get("level", "info"), "kind": e.get("kind", "log"), "agent": e.get("agent"),
             "task_id": e.get("task_id"), "candidate_id": e.get("candidate_id"), "job_id": e.get("job_id"),
             "application_id": e.get("application_id"), "runner_id": e.get("runner_id"), "message": e["message"],
             "data": e.get("data")}
            for i, e in enumerate(events)]
    conn.execute(_ADD_EVENTS, {"rows": json.dumps(rows), "channel": CHANNEL_EVENTS}).fetchall()


def audit(conn: Conn, action: str, *, target_type: str | None = None, target_ids: Sequence[int] = (),
          details: dict[str, Any] | None = None, who: str | None = None) -> None:
    conn.execute(
        "INSERT INTO operator_actions (actor, action, target_type, target_ids, details) VALUES (%s, %s, %s, %s, %s)",
        (who or actor(), action, target_type, list(target_ids), Jsonb(details) if details else None),
    )


_STATE_EVENT_SQL = """
    INSERT INTO events (level, kind, agent, task_id, candidate_id, job_id, application_id, runner_id, message, data)
    SELECT {level}, 'state', x.agent, x.id, x.candidate_id, x.job_id, x.application_id, {runner}, {message}, {data}
    FROM {source} x
"""


def _state_events(source: str, message_sql: str, *, level: str = "'info'", runner: str = "NULL",
                  data: str = "NULL") -> str:
    return _STATE_EVENT_SQL.format(level=level, runner=runner, message=message_sql, data=data, source=source)


def _notify_from(source: str, channel: str = CHANNEL_TASKS) -> str:
    """SQL sending one NOTIFY on ``channel`` per agent among the rows of ``source``.

    New or requeued work goes to ``talvix_tasks``, which runners and consoles listen to. A claim never
    makes work claimable: it tells the consoles only (``talvix_events``), so runners are not woken by every
    other runner's claims. A completion frees a slot only where an agent has a global cap: it goes to
    ``talvix_done``, which consoles and the runners of capped agents listen to (see ``runners.runner``)."""
    return f"SELECT pg_notify('{channel}', agent) FROM (SELECT DISTINCT agent FROM {source}) z"


# ------------------------------------------------------------------------------------------------
# Enqueue
# ------------------------------------------------------------------------------------------------
_INSERT_TASK = """
    INSERT INTO tasks (agent, payload, idempotency_key, priority, run_at, max_attempts,
                       candidate_id, job_id, application_id, site, parent_id)
    VALUES (%(agent)s, %(payload)s, %(key)s, %(priority)s, COALESCE(%(run_at)s, now()), %(max_attempts)s,
            %(candidate_id)s, %(job_id)s, %(application_id)s, %(site)s, %(parent_id)s)
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING *
"""


#: Longest idempotency key (keys Talvix makes itself, e.g. ``discover:rss:URL:...``, stay far below it).
MAX_KEY_CHARS = 1000


def check_key(key: str) -> None:
    """An idempotency key is printable text of at most :data:`MAX_KEY_CHARS` characters."""
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput("an idempotency key (--key) cannot be empty")
    if len(key) > MAX_KEY_CHARS:
        raise InvalidInput(f"an idempotency key (--key) is at most {MAX_KEY_CHARS} characters, got {len(key)}")
    bad = next((c for c in key if ord(c) < 32 or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise InvalidInput(f"an idempotency key (--key) cannot hold control characters (found U+{ord(bad):04X}); "
                           "use printable text")


def _task_params(new: NewTask, parent_id: int | None = None) -> dict[str, Any]:
    if not new.agent or not isinstance(new.agent, str):
        raise TalvixError("a task needs an agent name")
    if new.max_attempts is not None and new.max_attempts < 1:
        # 0 used to be stored as the default and -1 as -1 (a task that could never run).
        raise InvalidInput(f"max_attempts must be at least 1, got {new.max_attempts}")
    if new.key is not None:
        check_key(new.key)
    return {
        "agent": new.agent,
        "payload": Jsonb(new.payload or {}),
        "key": new.key,
        "priority": int(new.priority),
        "run_at": new.run_at,
        "max_attempts": DEFAULT_MAX_ATTEMPTS if new.max_attempts is None else int(new.max_attempts),
        "candidate_id": new.candidate_id,
        "job_id": new.job_id,
        "application_id": new.application_id,
        "site": new.site,
        "parent_id": parent_id,
    }


def insert_task(conn: Conn, new: NewTask, *, parent_id: int | None = None) -> tuple[Task, bool]:
    """Insert inside the caller's transaction. Returns (task, created)."""
    row = conn.execute(_INSERT_TASK, _task_params(new, parent_id)).fetchone()
    if row is not None:
        task = Task.from_row(row)
        add_event(conn, "queued", kind="state", agent=task.agent, task_id=task.id, candidate_id=task.candidate_id,
                  job_id=task.job_id, application_id=task.application_id,
                  data={"priority": task.priority, "key": task.idempotency_key} if task.idempotency_key else None)
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL_TASKS, task.agent))
        return task, True
    existing = conn.execute("SELECT * FROM tasks WHERE idempotency_key = %s", (new.key,)).fetchone()
    if existing is None:  # pragma: no cover - conflict row deleted between statements
        raise TalvixError(f"idempotency key {new.key!r} conflicted but no task holds it")
    return Task.from_row(existing), False


def enqueue(db: Database, new: NewTask) -> tuple[Task, bool]:
    """Enqueue one task. A second enqueue with the same idempotency key returns the first task."""
    with db.transaction() as conn:
        return insert_task(conn, new)


_TASK_FIELDS = tuple(f.name for f in dataclasses.fields(Task))

# The inserted rows come back without their payloads, which the caller already has: decoding each one
# again would be most of the client's work (see :func:`insert_many`).
_INSERT_MANY = f"""
WITH input AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS x(
        ord int, agent text, payload jsonb, key text, priority int, run_at timestamptz, max_attempts int,
        candidate_id bigint, job_id bigint, application_id bigint, site text, parent_id bigint)
), ins AS (
    INSERT INTO tasks (agent, payload, idempotency_key, priority, run_at, max_attempts,
                       candidate_id, job_id, application_id, site, parent_id)
    SELECT agent, COALESCE(payload, '{{}}'::jsonb), key, COALESCE(priority, 0), COALESCE(run_at, now()),
           COALESCE(max_attempts, {DEFAULT_MAX_ATTEMPTS}), candidate_id, job_id, application_id, site, parent_id
      FROM input ORDER BY ord
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING *
), e AS ({_state_events("ins", "'queued'")}),
n AS ({_notify_from("ins")})
SELECT {", ".join("NULL::jsonb AS payload" if f == "payload" else f"ins.{f}" for f in _TASK_FIELDS)},
       (SELECT count(*) FROM n) AS _n
  FROM ins ORDER BY ins.id
"""


def _task_row(cursor: Any) -> Callable[[Sequence[Any]], tuple[Task | None, dict[str, Any]]]:
    """A row factory for statements answering ``tasks`` rows: each row as its :class:`Task` (None where the
    row holds no task, as in a claim that claimed nothing) and its other columns by name. Each row costs one
    tuple lookup, not a dictionary; the lookup is made once per shape of answer (the column names read
    straight from the result, without building the cursor's description)."""
    result = cursor.pgresult
    if result is None:
        return _row_maker(())
    return _row_maker(tuple(result.fname(i) for i in range(result.nfields)))


@functools.lru_cache(maxsize=64)
def _row_maker(raw_names: tuple[bytes, ...]) -> Callable[[Sequence[Any]], tuple[Task | None, dict[str, Any]]]:
    names = [n.decode() for n in raw_names]
    at = {name: i for i, name in enumerate(names)}
    if "id" not in at:
        return lambda values: (None, {})
    take = operator.itemgetter(*(at[f] for f in _TASK_FIELDS))
    others = [(name, i) for i, name in enumerate(names) if name not in _TASK_FIELDS]
    id_at = at["id"]

    def make(values: Sequence[Any]) -> tuple[Task | None, dict[str, Any]]:
        task = Task(*take(values)) if values[id_at] is not None else None
        return task, {name: values[i] for name, i in others}

    return make


def _tasks_of(conn: Conn, query: str, params: dict[str, Any]) -> list[tuple[Task | None, dict[str, Any]]]:
    with conn.cursor(row_factory=_task_row) as cur:
        return cur.execute(query, params).fetchall()


def insert_many(conn: Conn, items: Sequence[NewTask], *, parent_id: int | None = None) -> list[tuple[Task, bool]]:
    """Insert many tasks with one statement inside the caller's transaction. Returns (task, created) in order."""
    if not items:
        return []
    rows = []
    for i, new in enumerate(items):
        p = _task_params(new, parent_id)
        rows.append({"ord": i, "agent": p["agent"], "payload": new.payload or {}, "key": p["key"],
                     "priority": p["priority"], "run_at": new.run_at.isoformat() if new.run_at else None,
                     "max_attempts": p["max_attempts"], "candidate_id": p["candidate_id"], "job_id": p["job_id"],
                     "application_id": p["application_id"], "site": p["site"], "parent_id": parent_id})
    created = [t for t, _ in _tasks_of(conn, _INSERT_MANY, {"rows": json.dumps(rows)}) if t is not None]
    # Rows come back in insertion order without payloads: the unkeyed ones in the order of ``items``, and
    # a key's row is its first item's (a later item with the same key inserts nothing).
    unkeyed_payloads = iter([r["payload"] for r in rows if r["key"] is None])
    first_payload = {r["key"]: r["payload"] for r in reversed(rows) if r["key"] is not None}
    for t in created:
        t.payload = next(unkeyed_payloads) if t.idempotency_key is None else first_payload[t.idempotency_key]
    by_key = {t.idempotency_key: t for t in created if t.idempotency_key is not None}
    unkeyed = iter(t for t in created if t.idempotency_key is None)
    missing = [n.key for n in items if n.key is not None and n.key not in by_key]
    existing: dict[str, Task] = {}
    if missing:
        for r in conn.execute("SELECT * FROM tasks WHERE idempotency_key = ANY(%s)", (missing,)).fetchall():
            existing[r["idempotency_key"]] = Task.from_row(r)
    out: list[tuple[Task, bool]] = []
    seen_keys: set[str] = set()
    for new in items:
        if new.key is None:
            out.append((next(unkeyed), True))
        elif new.key in by_key and new.key not in seen_keys:
            seen_keys.add(new.key)
            out.append((by_key[new.key], True))
        else:
            out.append((existing.get(new.key) or by_key[new.key], False))
    return out


def enqueue_many(db: Database, items: Iterable[NewTask]) -> list[tuple[Task, bool]]:
    """Enqueue many tasks in one transaction (one statement): all of them or none."""
    items = list(items)
    with db.transaction() as conn:
        return insert_many(conn, items)


# ------------------------------------------------------------------------------------------------
# Claim
# ------------------------------------------------------------------------------------------------
# Whether an agent is paused is asked once per agent, in the agents relation (see :func:`_claim_sql`), not
# once per candidate row.
_ELIGIBLE = """
      t.status IN ('queued', 'failed') AND t.run_at <= now()
  AND (t.site IS NULL OR NOT EXISTS (
        SELECT 1 FROM sites s WHERE s.site = t.site AND s.paused
           AND (s.paused_until IS NULL OR s.paused_until > now())))
"""

# Each agent's eligible tasks are read in claim order straight from ``tasks_claim_idx`` (agent, priority
# DESC, run_at, id), at most n per agent, and the best n of those are claimed. A single scan with
# ``agent = ANY(...)`` cannot use the index order and would sort every queued task on each claim, which
# grows with the depth of the queue; this stays O(n x agents) however long the queue is. Rows locked for
# an agent but not among the best n are released when the statement commits.
def _claim_sql(agents_sql: str, *, head: str = "", select: str = "u.*", source: str = "u") -> str:
    """A claim statement: the best n eligible tasks of the agents ``agents_sql`` yields (a relation with an
    ``agent`` column named ``a``) become ``running`` with their state events and NOTIFY. ``head`` adds CTEs
    before the claim, ``select``/``source`` shape the answer."""
    return f"""
WITH {head}c AS MATERIALIZED (
    SELECT p.id FROM {agents_sql}
    CROSS JOIN LATERAL (
        SELECT t.id, t.priority, t.run_at FROM tasks t
        WHERE t.agent = a.agent AND {_ELIGIBLE}
        ORDER BY t.priority DESC, t.run_at, t.id
        LIMIT %(n)s
        FOR UPDATE OF t SKIP LOCKED
    ) p
    ORDER BY p.priority DESC, p.run_at, p.id
    LIMIT %(n)s
), u AS (
    UPDATE tasks t
       SET status = 'running', locked_by = %(runner)s, attempts = t.attempts + 1,
           lease_until = now() + make_interval(secs => %(lease)s),
           started_at = now(), updated_at = now()
      FROM c WHERE t.id = c.id
    RETURNING t.*
), e AS (
    {_state_events("u", "'running, attempt ' || x.attempts || ' of ' || x.max_attempts", runner="%(runner)s")}
), n AS ({_notify_from("u", CHANNEL_EVENTS)})
SELECT {select}, (SELECT count(*) FROM n) AS _notified FROM {source} ORDER BY u.priority DESC, u.run_at, u.id
"""


_CLAIM = _claim_sql("""(SELECT x.agent FROM unnest(%(agents)s::text[]) AS x(agent)
         WHERE NOT EXISTS (SELECT 1 FROM agent_controls ac WHERE ac.agent = x.agent AND ac.paused)) a""")

# The common claim in one round trip: the agents without a cap are claimed as in :data:`_CLAIM`, and the
# same statement reads the operator's controls for every agent asked for (one row even when nothing was
# claimed), so the caller learns which agents are capped without a query of its own. Agents that have an
# operator cap are left out of the claim here: they go through the per-agent locked path below.
_CLAIM_WITH_CONTROLS = _claim_sql(
    """(SELECT x.agent FROM unnest(%(agents)s::text[]) AS x(agent)
         WHERE NOT EXISTS (SELECT 1 FROM agent_controls ac
                            WHERE ac.agent = x.agent AND (ac.paused OR ac.max_concurrency IS NOT NULL))) a""",
    head="""ctl AS MATERIALIZED (
    SELECT COALESCE(jsonb_object_agg(agent, jsonb_build_array(paused, max_concurrency)), '{}'::jsonb) AS controls
      FROM agent_controls WHERE agent = ANY(%(all_agents)s::text[])
), """,
    select="u.*, ctl.controls::text AS _controls", source="ctl LEFT JOIN u ON true")


def claim(db: Database, agents: Sequence[str], n: int, runner_id: str, lease_s: float,
          caps: dict[str, int] | None = None) -> list[Task]:
    """Claim up to ``n`` eligible tasks for ``agents``, highest priority first.

    ``caps`` are default global concurrency caps per agent (an agent's own limit, e.g. browsers); a cap
    set by an operator in ``agent_controls`` overrides it. Capped agents are claimed under a per-agent
    advisory lock, so the cap holds across all runners on all hosts. Agents with no cap at all (the usual
    case) are claimed in one statement that also reads the operator's controls: one round trip.
    """
    if n <= 0 or not agents:
        return []
    caps = dict(caps or {})
    out: list[Task] = []
    with db.connection() as conn:
        free = [a for a in agents if a not in caps]
        rows = _tasks_of(conn, _CLAIM_WITH_CONTROLS, {"all_agents": list(agents), "agents": free, "n": n,
                                                      "runner": runner_id, "lease": float(lease_s)})
        # Every row carries the controls; as text, they are decoded once, not once per claimed task.
        controls: dict[str, list[Any]] = json.loads(rows[0][1]["_controls"]) if rows else {}
        out.extend(t for t, _ in rows if t is not None)
        capped: dict[str, int] = {}
        for agent in agents:
            paused, operator_cap = controls.get(agent, (False, None))
            if paused:
                continue
            if operator_cap is not None:
                capped[agent] = int(operator_cap)
            elif agent in caps:
                capped[agent] = caps[agent]
        for agent, cap in capped.items():
            want = n - len(out)
            if want <= 0:
                break
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('talvix-claim'), hashtext(%s))", (agent,))
                count = conn.execute(
                    "SELECT count(*) AS c FROM tasks WHERE agent = %s AND status = 'running'", (agent,)
                ).fetchone()
                running = count["c"] if count else 0
                room = min(want, cap - running)
                if room <= 0:
                    continue
                out.extend(t for t, _ in _tasks_of(conn, _CLAIM, {"agents": [agent], "n": room, "runner": runner_id,
                                                                  "lease": float(lease_s)}) if t is not None)
    return out


# ------------------------------------------------------------------------------------------------
# Leases
# ------------------------------------------------------------------------------------------------
def heartbeat(db: Database, runner_id: str, held: Sequence[tuple[int, int]], lease_s: float) -> set[int]:
    """Extend the leases of ``held`` (task id, attempts). Returns the ids still held by this runner."""
    if not held:
        return set()
    ids = [h[0] for h in held]
    attempts = [h[1] for h in held]
    with db.connection() as conn:
        rows = conn.execute(
            """UPDATE tasks t SET lease_until = now() + make_interval(secs => %s)
                 FROM unnest(%s::bigint[], %s::int[]) AS h(id, attempts)
                WHERE t.id = h.id AND t.attempts = h.attempts AND t.status = 'running' AND t.locked_by = %s
            RETURNING t.id""",
            (float(lease_s), ids, attempts, runner_id),
        ).fetchall()
    return {r["id"] for r in rows}


_FENCE = "id = %(id)s AND status = 'running' AND locked_by = %(runner)s AND attempts = %(attempts)s"


def _fence_params(task: Task) -> dict[str, Any]:
    return {"id": task.id, "runner": task.locked_by, "attempts": task.attempts}


def _lease_lost(task: Task) -> LeaseLost:
    return LeaseLost(f"task {task.id} is no longer held by {task.locked_by}")


def assert_lease(conn: Conn, task: Task) -> None:
    """Inside a transaction, lock the task row and check it is still ours (e.g. before a submit marker)."""
    row = conn.execute(f"SELECT id FROM tasks WHERE {_FENCE} FOR UPDATE", _fence_params(task)).fetchone()
    if row is None:
        raise _lease_lost(task)


# Completion, fenced per task: one statement for one task or for a group of tasks that finished together.
_COMPLETE = f"""
WITH v AS (
    SELECT * FROM jsonb_to_recordset(%(done)s::jsonb) AS v(id bigint, runner text, attempts int, result jsonb)
), u AS (
    UPDATE tasks t SET status = 'succeeded', result = v.result, lease_until = NULL, last_error = NULL,
                       finished_at = now(), updated_at = now()
      FROM v
     WHERE t.id = ANY(%(ids)s::bigint[]) AND t.id = v.id
       AND t.status = 'running' AND t.locked_by = v.runner AND t.attempts = v.attempts
    RETURNING t.id, t.agent, t.candidate_id, t.job_id, t.application_id, v.runner
), e AS ({_state_events("u", "'succeeded'", runner="x.runner")}),
n AS ({_notify_from("u", CHANNEL_DONE)})
SELECT u.id, (SELECT count(*) FROM n) AS _notified FROM u
"""


def _completion_params(done: Sequence[tuple[Task, dict[str, Any] | None]]) -> dict[str, Any]:
    # One JSON document for the whole group: one parameter to send instead of four arrays to build.
    # The ids again as an array: the planner then finds the rows through the primary key, however many
    # tasks are running (joined on the document alone, it may scan every running task).
    return {"done": json.dumps([{"id": t.id, "runner": t.locked_by, "attempts": t.attempts, "result": r}
                                for t, r in done]),
            "ids": [t.id for t, _ in done]}


def complete(db: Database, task: Task, result: dict[str, Any] | None = None,
             follow_ons: Sequence[NewTask] = (), in_tx: Callable[[Conn], None] | None = None) -> list[Task]:
    """Mark ``task`` succeeded; its follow-on tasks and ``in_tx`` writes commit in the same transaction.

    Raises :class:`LeaseLost` (and commits nothing) if the task is no longer ours.
    """
    params = _completion_params([(task, result)])
    created: list[Task] = []
    with db.connection() as conn:
        if not follow_ons and in_tx is None:
            if conn.execute(_COMPLETE, params).fetchone() is None:
                raise _lease_lost(task)
            return created
        with conn.transaction():
            if conn.execute(_COMPLETE, params).fetchone() is None:
                raise _lease_lost(task)
            if in_tx is not None:
                in_tx(conn)
            created = [t for t, was_created in insert_many(conn, list(follow_ons), parent_id=task.id) if was_created]
    return created


def complete_many(db: Database, done: Sequence[tuple[Task, dict[str, Any] | None]]) -> set[int]:
    """Mark several tasks succeeded in one statement (group commit); returns the ids it completed.

    Each task is fenced on its own, exactly as :func:`complete` does: a task whose lease was lost is left
    alone (its id is missing from the answer) and the others still complete. Only for plain results: a
    completion with follow-ons or writes of its own goes through :func:`complete`.
    """
    if not done:
        return set()
    with db.connection() as conn:
        return {r["id"] for r in conn.execute(_COMPLETE, _completion_params(done)).fetchall()}


class GroupCompleter:
    """Group commit for plain completions from many threads (a runner's task threads).

    Completions handed in are written by one writer thread, as many at a time as have arrived (one
    :func:`complete_many` statement and one commit per group, at most :data:`MAX_BATCH`): tasks that finish
    while a group is being written share the next one. :meth:`submit` returns at once and calls ``done``
    from the writer thread once the task's outcome is known (the thread that ran the task is free to run
    the next one meanwhile); :meth:`complete` waits for it. Each task is still fenced on its own: a task
    whose lease was lost is not written and is reported lost (:class:`LeaseLost`); a database error is
    handed to every task of the failed group (each retries on its own, and the fence keeps a retried
    completion from being written twice). The writer thread starts on the first completion and ends after
    a second with nothing to write.
    """

    MAX_BATCH = 500
    IDLE_S = 1.0

    class _Item:
        __slots__ = ("task", "result", "done")

        def __init__(self, task: Task, result: dict[str, Any] | None,
                     done: Callable[[BaseException | None], None]) -> None:
            self.task, self.result, self.done = task, result, done

    def __init__(self, db: Database, *, after_group: Callable[[], None] | None = None) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._pending: list[GroupCompleter._Item] = []
        self._writer: threading.Thread | None = None
        self._after_group = after_group
        self.batches = 0  # statements written (for tests and figures)

    def submit(self, task: Task, result: dict[str, Any] | None,
               done: Callable[[BaseException | None], None]) -> None:
        """Queue a completion; ``done(None)`` once written, ``done(LeaseLost)`` if the task is no longer ours,
        ``done(error)`` if the write failed (nothing of that group was committed). Never blocks on the write."""
        item = GroupCompleter._Item(task, result, done)
        with self._lock:
            self._pending.append(item)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="talvix-completer", daemon=True)
                self._writer.start()
            elif len(self._pending) == 1:
                self._arrived.notify()

    def complete(self, task: Task, result: dict[str, Any] | None = None) -> None:
        """Complete ``task`` with the next group and wait for it; raises :class:`LeaseLost` or the write's error."""
        finished = threading.Event()
        outcome: list[BaseException | None] = []

        def done(error: BaseException | None) -> None:
            outcome.append(error)
            finished.set()

        self.submit(task, result, done)
        finished.wait()
        if outcome[0] is not None:
            raise outcome[0]

    def _write_loop(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._arrived.wait(self.IDLE_S)
                    if not self._pending:
                        self._writer = None
                        return
                batch, self._pending = self._pending[:self.MAX_BATCH], self._pending[self.MAX_BATCH:]
            try:
                ids = complete_many(self.db, [(i.task, i.result) for i in batch])
                self.batches += 1
                errors: list[BaseException | None] = [None if i.task.id in ids else _lease_lost(i.task)
                                                      for i in batch]
            except Exception as exc:  # noqa: BLE001 - handed to every task of the group
                errors = [exc] * len(batch)
            for i, error in zip(batch, errors, strict=True):
                try:
                    i.done(error)
                except Exception:  # pragma: no cover - a callback must not stop the writer
                    pass
            if self._after_group is not None:
                try:
                    self._after_group()
                except Exception:  # pragma: no cover
                    pass


def fail(db: Database, task: Task, error: BaseException | str, *, retry: bool = True,
         delay_s: float | None = None, backoff_base: float = 5.0, backoff_cap: float = 3600.0,
         count_attempt: bool = True) -> str:
    """Record a failure: ``failed`` (retried after backoff) while attempts remain, else ``dead``.

    Returns the new status. ``retry=False`` goes straight to ``dead``. ``count_attempt=False`` (a
    deliberate postponement) gives the attempt back.
    """
    msg = clean_error(error)
    delay = delay_s if delay_s is not None else backoff_seconds(task.attempts, backoff_base, backoff_cap)
    with db.transaction() as conn:
        row = conn.execute(
            f"""UPDATE tasks SET
                    attempts = attempts - CASE WHEN %(count)s THEN 0 ELSE 1 END,
                    status = CASE WHEN NOT %(retry)s THEN 'dead'
                                  WHEN attempts - CASE WHEN %(count)s THEN 0 ELSE 1 END >= max_attempts THEN 'dead'
                                  ELSE 'failed' END,
                    run_at = now() + make_interval(secs => %(delay)s),
                    last_error = %(err)s, lease_until = NULL, finished_at = now(), updated_at = now()
                WHERE {_FENCE}
            RETURNING *""",
            {**_fence_params(task), "retry": retry, "delay": float(delay), "err": msg, "count": count_attempt},
        ).fetchone()
        if row is None:
            raise _lease_lost(task)
        status = row["status"]
        when = "" if status == "dead" else f"; retry in {delay:.0f}s"
        add_event(conn, f"{status}: {msg}{when}", level="error" if status == "dead" else "warning", kind="state",
                  agent=task.agent, task_id=task.id, candidate_id=task.candidate_id, job_id=task.job_id,
                  application_id=task.application_id, runner_id=task.locked_by,
                  data={"attempt": row["attempts"], "max_attempts": row["max_attempts"]})
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL_TASKS, task.agent))
    return status


def park(db: Database, task: Task, status: str, reason: str, *, result: dict[str, Any] | None = None,
         in_tx: Callable[[Conn], None] | None = None) -> None:
    """Stop a running task for a person: ``needs_human`` or ``awaiting_approval``, with the reason."""
    if status not in ("needs_human", "awaiting_approval"):
        raise ValueError(status)
    with db.transaction() as conn:
        row = conn.execute(
            f"""UPDATE tasks SET status = %(status)s, last_error = %(reason)s, result = COALESCE(%(result)s, result),
                                 lease_until = NULL, updated_at = now()
                WHERE {_FENCE} RETURNING id""",
            {**_fence_params(task), "status": status, "reason": clean_error(reason),
             "result": Jsonb(result) if result is not None else None},
        ).fetchone()
        if row is None:
            raise _lease_lost(task)
        if in_tx is not None:
            in_tx(conn)
        add_event(conn, f"{status}: {reason}", level="warning", kind="state", agent=task.agent, task_id=task.id,
                  candidate_id=task.candidate_id, job_id=task.job_id, application_id=task.application_id,
                  runner_id=task.locked_by)
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL_TASKS, task.agent))


def release(db: Database, tasks: Sequence[Task], reason: str = "runner stopping") -> int:
    """Give running tasks back to the queue without counting the attempt (graceful shutdown)."""
    n = 0
    for task in tasks:
        with db.transaction() as conn:
            row = conn.execute(
                f"""UPDATE tasks SET status = 'queued', attempts = attempts - 1, lease_until = NULL,
                                     run_at = now(), updated_at = now()
                    WHERE {_FENCE} RETURNING id""",
                _fence_params(task),
            ).fetchone()
            if row is None:
                continue
            n += 1
            add_event(conn, f"released: {reason}", kind="state", agent=task.agent, task_id=task.id,
                      candidate_id=task.candidate_id, job_id=task.job_id, application_id=task.application_id,
                      runner_id=task.locked_by)
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL_TASKS, task.agent))
    return n


# ------------------------------------------------------------------------------------------------
# Operator actions (each one audited)
# ------------------------------------------------------------------------------------------------
def _operator_update(db: Database, action: str, ids: Sequence[int], set_sql: str, from_states: Sequence[str],
                     message: str, extra: dict[str, Any] | None = None, who: str | None = None) -> list[int]:
    ids = [int(i) for i in ids]
    if not ids:
        return []
    with db.transaction() as conn:
        rows = conn.execute(
            f"""WITH u AS (UPDATE tasks SET {set_sql}, updated_at = now()
                           WHERE id = ANY(%(ids)s) AND status = ANY(%(from)s) RETURNING *),
                     e AS ({_state_events("u", "%(message)s")}),
                     n AS ({_notify_from("u")})
                SELECT u.id, (SELECT count(*) FROM n) AS _n FROM u ORDER BY u.id""",
            {"ids": ids, "from": list(from_states), "message": message, **(extra or {})},
        ).fetchall()
        done = [r["id"] for r in rows]
        audit(conn, action, target_type="task", target_ids=done, details={"requested": ids} if done != ids else None,
              who=who)
    return done


def retry(db: Database, ids: Sequence[int], who: str | None = None) -> list[int]:
    """Operator retry: back to ``queued`` now, attempts reset. Returns the ids that changed."""
    return _operator_update(
        db, "retry", ids,
        "status = 'queued', attempts = 0, run_at = now(), lease_until = NULL",
        RETRYABLE_STATES, f"retried by {who or actor()}", who=who,
    )


def retry_matching(db: Database, *, agent: str | None = None, statuses: Sequence[str] = ("failed", "dead"),
                   who: str | None = None) -> list[int]:
    ids = [r["id"] for r in db.execute(
        "SELECT id FROM tasks WHERE status = ANY(%s) AND (%s::text IS NULL OR agent = %s) ORDER BY id",
        (list(statuses), agent, agent))]
    return retry(db, ids, who=who)


def cancel(db: Database, ids: Sequence[int], who: str | None = None, reason: str = "") -> list[int]:
    """Cancel tasks that have not finished. A running task loses its lease and its worker stops."""
    return _operator_update(
        db, "cancel", ids,
        "status = 'cancelled', lease_until = NULL, finished_at = now(), last_error = COALESCE(NULLIF(%(reason)s, ''), last_error)",
        ("queued", "failed", "running", "awaiting_approval", "needs_human"),
        f"cancelled by {who or actor()}" + (f": {reason}" if reason else ""),
        extra={"reason": reason}, who=who,
    )


def approve(db: Database, task_id: int, who: str | None = None, edits: dict[str, Any] | None = None,
            *, cipher: Any = None) -> Task:
    """Approve a task waiting for a person: it is queued again with the approval (and any edited answers).

    With ``cipher`` the edited answers (a candidate's personal data) are sealed in the payload, the event
    and the audit row (``core.crypto.seal``); the apply agent opens them.
    """
    who = who or actor()
    if edits and cipher is not None:
        from core.crypto import is_sealed, seal

        edits = {k: v if is_sealed(v) else seal(cipher, v) for k, v in edits.items()}
    with db.transaction() as conn:
        row = conn.execute(
            """UPDATE tasks SET status = 'queued', attempts = 0, run_at = now(), lease_until = NULL, updated_at = now(),
                      payload = payload || jsonb_build_object('approval',
                          jsonb_build_object('by', %s::text, 'at', now(), 'edits', %s::jsonb))
                WHERE id = %s AND status IN ('awaiting_approval', 'needs_human') RETURNING *""",
            (who, Jsonb(edits or {}), task_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"task {task_id} is not waiting for approval")
        task = Task.from_row(row)
        add_event(conn, f"approved by {who}" + (f" with {len(edits)} edited answer(s)" if edits else ""),
                  kind="state", agent=task.agent, task_id=task.id, candidate_id=task.candidate_id,
                  job_id=task.job_id, application_id=task.application_id, data={"edits": edits} if edits else None)
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL_TASKS, task.agent))
        audit(conn, "approve", target_type="task", target_ids=[task.id], details={"edits": edits} if edits else None,
              who=who)
    return task


def reject(db: Database, task_id: int, reason: str, who: str | None = None) -> Task:
    """Reject a task waiting for a person: cancelled with the reason; its application is withdrawn."""
    who = who or actor()
    if not reason.strip():
        raise TalvixError("a rejection needs a reason")
    with db.transaction() as conn:
        row = conn.execute(
            """UPDATE tasks SET status = 'cancelled', last_error = %s, finished_at = now(), updated_at = now()
                WHERE id = %s AND status IN ('awaiting_approval', 'needs_human') RETURNING *""",
            (f"rejected by {who}: {reason}", task_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"task {task_id} is not waiting for a person")
        task = Task.from_row(row)
        if task.application_id is not None:
            conn.execute(
                """UPDATE applications SET status = 'withdrawn', reason = %s, updated_at = now()
                    WHERE id = %s AND status NOT IN ('submitted')""",
                (f"rejected by {who}: {reason}", task.application_id),
            )
        add_event(conn, f"rejected by {who}: {reason}", level="warning", kind="state", agent=task.agent,
                  task_id=task.id, candidate_id=task.candidate_id, job_id=task.job_id,
                  application_id=task.application_id)
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL_TASKS, task.agent))
        audit(conn, "reject", target_type="task", target_ids=[task.id], details={"reason": reason}, who=who)
    return task


def set_agent_paused(db: Database, agent: str, paused: bool, reason: str = "", who: str | None = None) -> None:
    with db.transaction() as conn:
        conn.execute(
            """INSERT INTO agent_controls (agent, paused, reason, updated_by, updated_at) VALUES (%s, %s, %s, %s, now())
               ON CONFLICT (agent) DO UPDATE SET paused = EXCLUDED.paused, reason = EXCLUDED.reason,
                   updated_by = EXCLUDED.updated_by, updated_at = now()""",
            (agent, paused, reason or None, who or actor()),
        )
        add_event(conn, f"agent {'paused' if paused else 'resumed'}" + (f": {reason}" if reason else ""),
                  kind="state", agent=agent, level="warning" if paused else "info")
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL_TASKS, agent))
        audit(conn, "pause" if paused else "resume", target_type="agent", details={"agent": agent, "reason": reason},
              who=who)


def set_agent_cap(db: Database, agent: str, cap: int | None, who: str | None = None) -> None:
    """Global concurrency cap for an agent across every runner on every host (None removes it)."""
    with db.transaction() as conn:
        conn.execute(
            """INSERT INTO agent_controls (agent, max_concurrency, updated_by, updated_at) VALUES (%s, %s, %s, now())
               ON CONFLICT (agent) DO UPDATE SET max_concurrency = EXCLUDED.max_concurrency,
                   updated_by = EXCLUDED.updated_by, updated_at = now()""",
            (agent, cap, who or actor()),
        )
        audit(conn, "set_cap", target_type="agent", details={"agent": agent, "cap": cap}, who=who)


# ------------------------------------------------------------------------------------------------
# Reaper
# ------------------------------------------------------------------------------------------------
def reap(db: Database, *, runner_stale_s: float = 90.0, batch: int = 500, backoff_base: float = 5.0) -> dict[str, int]:
    """Rescue running tasks whose lease passed or whose runner stopped heartbeating.

    An apply task whose application has a submit marker but no confirmation goes to ``needs_human``
    (the application to ``unknown_outcome``): it is never resubmitted automatically. Others are
    retried with backoff while attempts remain, else ``dead``.
    """
    counts = {"failed": 0, "dead": 0, "needs_human": 0}
    with db.transaction() as conn:
        rows = conn.execute(
            f"""
            WITH stale AS MATERIALIZED (
                SELECT t.id,
                       CASE WHEN t.lease_until < now() THEN 'lease expired'
                            ELSE 'runner ' || t.locked_by || ' stopped heartbeating' END AS why,
                       EXISTS (SELECT 1 FROM applications a WHERE a.id = t.application_id
                                 AND a.submit_marker_at IS NOT NULL AND a.submitted_at IS NULL) AS marked
                  FROM tasks t
                 WHERE t.status = 'running'
                   AND (t.lease_until < now()
                        OR EXISTS (SELECT 1 FROM runners r WHERE r.id = t.locked_by
                                     AND (r.status = 'gone' OR r.heartbeat_at < now() - make_interval(secs => %(stale)s))))
                 LIMIT %(batch)s
                   FOR UPDATE OF t SKIP LOCKED
            ), u AS (
                UPDATE tasks t SET
                       status = CASE WHEN s.marked THEN 'needs_human'
                                     WHEN t.attempts >= t.max_attempts THEN 'dead' ELSE 'failed' END,
                       last_error = CASE WHEN s.marked
                                         THEN 'unknown outcome: ' || s.why || ' after the submit marker; check the employer site before retrying'
                                         ELSE s.why END,
                       run_at = now() + make_interval(secs => %(delay)s * power(2, greatest(t.attempts - 1, 0))),
                       lease_until = NULL, updated_at = now()
                  FROM stale s WHERE t.id = s.id
                RETURNING t.*, s.marked
            ), a AS (
                UPDATE applications ap SET status = 'unknown_outcome', updated_at = now(),
                       reason = 'runner lost after the submit marker: the form may or may not have been submitted'
                  FROM u WHERE u.marked AND ap.id = u.application_id
                RETURNING ap.id
            ), e AS ({_state_events("u", "x.status || ': ' || x.last_error", level="'warning'")}),
            n AS ({_notify_from("u")})
            SELECT u.id, u.status, (SELECT count(*) FROM n) AS _n, (SELECT count(*) FROM a) AS _a FROM u
            """,
            {"stale": float(runner_stale_s), "batch": batch, "delay": float(backoff_base)},
        ).fetchall()
        for r in rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


# ------------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------------
def get_task(db: Database, task_id: int) -> Task:
    row = db.one("SELECT * FROM tasks WHERE id = %s", (task_id,))
    if row is None:
        raise NotFound(f"no task with id {task_id}")
    return Task.from_row(row)


def counts_by_agent(db: Database) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in db.execute("SELECT agent, status, count(*) AS n FROM tasks GROUP BY agent, status ORDER BY agent, status"):
        out.setdefault(r["agent"], {})[r["status"]] = int(r["n"])
    return out


def oldest_waiting_age(db: Database) -> dict[str, float]:
    rows = db.execute(
        """SELECT agent, extract(epoch FROM now() - min(run_at))::float8 AS age
             FROM tasks WHERE status IN ('queued', 'failed') AND run_at <= now() GROUP BY agent"""
    )
    return {r["agent"]: round(max(0.0, r["age"]), 3) for r in rows}


def list_tasks(db: Database, *, agent: str | None = None, status: str | None = None, limit: int = 50,
               before_id: int | None = None) -> list[Task]:
    rows = db.execute(
        """SELECT * FROM tasks
            WHERE (%(agent)s::text IS NULL OR agent = %(agent)s)
              AND (%(status)s::text IS NULL OR status = %(status)s)
              AND (%(before)s::bigint IS NULL OR id < %(before)s)
            ORDER BY id DESC LIMIT %(limit)s""",
        {"agent": agent, "status": status, "before": before_id, "limit": limit},
    )
    return [Task.from_row(r) for r in rows]


def runners(db: Database, include_gone: bool = False) -> list[dict[str, Any]]:
    return db.execute(
        """SELECT id, host, pid, agents, concurrency, version, mode, status, started_at, heartbeat_at, stopped_at,
                  extract(epoch FROM now() - heartbeat_at)::float8 AS heartbeat_age_s
             FROM runners WHERE %s OR status <> 'gone' ORDER BY host, pid""",
        (include_gone,),
    )


def agent_controls(db: Database) -> dict[str, dict[str, Any]]:
    return {r["agent"]: r for r in db.execute("SELECT * FROM agent_controls ORDER BY agent")}


def to_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 time: {value!r} (e.g. 2026-11-23T09:30:00+05:30)") from None
    if dt.tzinfo is None:
        raise InvalidInput(f"time {value!r} needs a UTC offset (e.g. 2026-11-23T09:30:00+05:30)")
    return dt
