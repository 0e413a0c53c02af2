"""The query workers' pool (kg/use/server/pool.py), driven directly on a real built graph: a
task that waits behind another runs elsewhere when that one runs long or is stopped.

The pool is made to queue behind any running task (``queue_within``: normally only behind one
that started a moment ago), so which worker a task waits on is known: the pool picks the one
whose task started first. The assertions are on the order of events, not their timing."""

from __future__ import annotations

import asyncio
import json
import math

import pytest

from kg.use.server.pool import WorkerPool

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/sparql-results+json"


def sparql(query: str) -> dict:
    return {"kind": "sparql", "query": query, "accept": JSON, "max_rows": 100_000, "max_bytes": None}


async def _pool(root, size: int) -> WorkerPool:
    pool = WorkerPool(root, size, None, lambda line: None)
    await pool.start()
    pool.queue_within = math.inf
    return pool


def test_a_task_waiting_behind_a_long_one_is_taken_back_and_run_by_a_free_worker(built):
    async def scenario() -> None:
        pool = await _pool(built.root, 2)
        try:
            runaway = asyncio.ensure_future(pool.run(sparql(RUNAWAY), 60, 60))
            await asyncio.sleep(0.2)  # it runs on one worker
            quick = asyncio.ensure_future(pool.run(sparql("ASK {}"), 60, 60))  # takes the free worker
            waiting = asyncio.ensure_future(pool.run(sparql("ASK { ?s ?p ?o }"), 60, 60))  # waits behind the runaway
            await asyncio.sleep(0)
            assert len(pool.current.workers) == 2 and sorted(len(w.jobs) for w in pool.current.workers) == [1, 2]
            answer = await waiting
            assert not runaway.done()  # answered while the runaway still runs
            assert answer.reply[0] == 200 and json.loads(answer.reply[2])["boolean"] is True
            assert (await quick).reply[0] == 200
        finally:
            pool.close()
            await asyncio.gather(runaway, return_exceptions=True)

    asyncio.run(scenario())


def test_the_tasks_waiting_on_a_worker_that_is_stopped_run_elsewhere(built):
    async def scenario() -> None:
        pool = await _pool(built.root, 2)
        pool.move_after = math.inf  # nothing is taken back: it waits until its worker is killed
        try:
            runaway = asyncio.ensure_future(pool.run(sparql(RUNAWAY), 1, 60))
            await asyncio.sleep(0.2)
            quick = asyncio.ensure_future(pool.run(sparql("ASK {}"), 60, 60))
            waiting = asyncio.ensure_future(pool.run(sparql("ASK { ?s ?p ?o }"), 60, 60))
            stopped = await runaway
            assert stopped.reply[0] == 504
            answer = await waiting
            assert answer.reply[0] == 200 and json.loads(answer.reply[2])["boolean"] is True
            assert (await quick).reply[0] == 200
        finally:
            pool.close()

    asyncio.run(scenario())


def test_a_worker_that_dies_on_a_task_fails_that_one_only(built):
    """The worker dies under the task it runs (killed from outside, as the kernel would on an
    abort): that task gets the crash's reply (500), the one waiting behind it runs elsewhere."""
    async def scenario() -> None:
        pool = await _pool(built.root, 2)
        pool.move_after = math.inf
        try:
            runaway = asyncio.ensure_future(pool.run(sparql(RUNAWAY), 60, 60))
            await asyncio.sleep(0.2)
            quick = asyncio.ensure_future(pool.run(sparql("ASK {}"), 60, 60))
            waiting = asyncio.ensure_future(pool.run(sparql("ASK { ?s ?p ?o }"), 60, 60))
            await asyncio.sleep(0)
            busy = next(w for w in pool.current.workers if len(w.jobs) == 2)
            busy.process.kill()
            crashed = await runaway
            assert crashed.reply[0] == 500
            assert (await waiting).reply[0] == 200
            assert (await quick).reply[0] == 200
        finally:
            pool.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [1, 3])
def test_many_tasks_at_once_each_get_their_own_answer(built, size):
    """More tasks than workers can hold: each answer is its own query's (numbered replies are
    matched to their tasks, whatever the queueing)."""
    async def scenario() -> None:
        pool = await _pool(built.root, size)
        try:
            queries = [f'SELECT ?n WHERE {{ BIND({i} AS ?n) }}' for i in range(60)]
            answers = await asyncio.gather(*(pool.run(sparql(q), 60, 60) for q in queries))
            got = [int(json.loads(a.reply[2])["results"]["bindings"][0]["n"]["value"]) for a in answers]
            assert got == list(range(60))
        finally:
            pool.close()

    asyncio.run(scenario())


def test_workers_keep_few_malloc_arenas(built):
    """Under a --memory ceiling the address space glibc reserves per thread arena ran out before
    memory did: workers run with MALLOC_ARENA_MAX=2 (unless the operator set it)."""
    async def scenario() -> None:
        pool = await _pool(built.root, 1)
        try:
            worker = next(iter(pool.current.workers))
            with open(f"/proc/{worker.process.pid}/environ", "rb") as environ:
                assert b"MALLOC_ARENA_MAX=2" in environ.read().split(b"\0")
        finally:
            pool.close()

    asyncio.run(scenario())
