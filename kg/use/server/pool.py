"""The query workers of ``kg serve``: processes that hold the built graph and run one query at
a time, each killable, so a query that overruns its time, is abandoned by its client or
exhausts its memory ceiling stops without stopping the server.

Workers are direct children of the server (started with ``subprocess``, not a fork of a
process that runs Rust threads), in their own session (a Ctrl-C in the terminal reaches the
server, which stops them), and they die with it even when it is killed outright (the
worker's parent-death signal). They speak multiprocessing's framing over a socket pair:
a 4-byte big-endian length (an answer over 2 GB: -1 and an 8-byte one), then a pickle. Tasks
and answers carry a number; a worker answers (or skips) its tasks in the order sent.

A worker may hold one task waiting behind the one it runs, so under load it goes from one
task to the next without sleeping, and the server does not wake it (and lose its core to it)
for each. Measured under wrk on this project's two-core machine, with the worker's batch
scheduling and whole-buffer reads (kg/use/server/worker.py), the CPU of an uncached lookup
went from about 0.55-0.70 ms to 0.43 ms, and the server's own share from 0.18-0.23 ms to
0.10-0.13 ms. A task waits only behind one that started a moment ago
(:data:`QUEUE_WITHIN`), and if it still waits :data:`MOVE_AFTER` later it is taken back (the
worker is told to skip it) and run by another: a long query holds up no one.

The workers form a *generation*, all on one build of ``dist/``. When ``dist/`` is rebuilt a
new generation loads the new build beside the old; once every new worker is ready the pool
switches to it at once, and each old worker is stopped when its query is done. A request
runs on one worker, so it sees one build, never a mix.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import socket
import struct
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple

from kg.use.server.worker import Reply, error, out_of_memory

# A worker loads the graph in about a second on this dataset (a cached store opens in
# ~15 ms); a minute allows for a slow disk and a much larger graph.
START_TIMEOUT = 120.0
# How much of a dead worker's standard error the log keeps.
STDERR_TAIL = 2000
# At most this many tasks on one worker: the one it runs and one waiting.
DEPTH = 2
# A task waits behind another only if that one started less than this many seconds ago...
QUEUE_WITHIN = 0.005
# ...and is taken back and run elsewhere if it still waits this many seconds later.
MOVE_AFTER = 0.02
# The client of a query still running after this many seconds is watched, so the query stops
# if it goes away (watching every request would cost a task each: most end sooner).
WATCH_AFTER = 0.05
# A job's result when it did not run on its worker (taken back, or its worker was stopped
# while it waited): it is run on another.
_MOVED = object()
_CHILD = (
    "import sys\n"
    "from multiprocessing.connection import Connection\n"
    "from kg.use.server.worker import main\n"
    "main(Connection(int(sys.argv[1])), sys.argv[2], memory_limit=int(sys.argv[3]) or None, parent_pid=int(sys.argv[4]))\n"
)


# glibc reserves 64 MB of address space for each malloc arena it adds for a new thread: under a
# worker's --memory ceiling (RLIMIT_AS) the reservations, not the memory used, ran out first
# (a worker loading the graph peaked at 665-710 MB of address space; with two arenas, 297 MB)
# and the engine's threads could not start ("Resource temporarily unavailable", seen once in CI).
_WORKER_ENVIRONMENT = {**os.environ, "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")}


class Answer(NamedTuple):
    """A worker's reply and the build it was computed on."""

    reply: Reply
    build: str


class WorkerDied(Exception):
    """A worker ended while it was starting or running a query."""


class _Job:
    """One task sent to a worker; ``future`` gets the reply, or :data:`_MOVED`."""

    __slots__ = ("number", "future", "timeout")

    def __init__(self, number: int, future: asyncio.Future[object], timeout: float) -> None:
        self.number = number
        self.future = future
        self.timeout = timeout

    def settle(self, result: object) -> None:
        if not self.future.done():
            self.future.set_result(result)


class _Worker:
    """One worker process, its end of the socket pair, and the file its standard error goes to."""

    def __init__(self, process: subprocess.Popen[bytes], sock: socket.socket, stderr: int) -> None:
        self.process = process
        self.sock = sock
        self.stderr = stderr  # a descriptor of an unlinked file: nothing is left behind, whatever ends the server
        self.build = ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.jobs: deque[_Job] = deque()  # sent and not yet answered, in order: jobs[0] runs
        self.head_since = 0.0  # when jobs[0] started
        self.stopped = False
        self.reading: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, root: Path, memory_limit: int | None) -> _Worker:
        """Start a worker and wait until it has loaded the graph; :class:`WorkerDied` with its
        message when it cannot."""
        ours, theirs = socket.socketpair()
        handle, name = tempfile.mkstemp(prefix="kg-serve-worker-", suffix=".log")
        os.unlink(name)
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(theirs.fileno()), str(root), str(memory_limit or 0), str(os.getpid())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=handle, env=_WORKER_ENVIRONMENT,
                start_new_session=True,  # the terminal's Ctrl-C is the server's to handle, not each worker's
            )
        except OSError:
            os.close(handle)
            ours.close()
            raise
        finally:
            theirs.close()
        worker = cls(process, ours, handle)
        try:
            worker.reader, worker.writer = await asyncio.open_unix_connection(sock=ours)
            state, detail = await asyncio.wait_for(worker.receive(), START_TIMEOUT)
        except (WorkerDied, asyncio.TimeoutError) as err:
            tail = worker.stop()
            raise WorkerDied(f"a query worker could not load the graph: {err or 'it took too long'} {tail}".strip()) from None
        if state != "ready":
            worker.stop()
            raise WorkerDied(f"a query worker could not load the graph: {detail}")
        worker.build = detail
        return worker

    async def receive(self) -> object:
        """The next message from the worker; :class:`WorkerDied` when its socket closes."""
        assert self.reader is not None
        try:
            size = struct.unpack("!i", await self.reader.readexactly(4))[0]
            if size == -1:
                size = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            return pickle.loads(await self.reader.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError) as err:
            raise WorkerDied(str(err)) from None

    def send(self, message: object) -> None:
        """Send a message (small: it is buffered at once)."""
        assert self.writer is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(struct.pack("!i", len(data)) + data)

    def submit(self, job: _Job, task: dict, now: float) -> None:  # type: ignore[type-arg]
        """Send ``task`` as ``job``: the worker runs it after those it holds."""
        if not self.jobs:
            self.head_since = now
        self.jobs.append(job)
        self.send((job.number, task))

    def stop(self) -> str:
        """Kill the process (it may be running a query that cannot be interrupted) and return
        the end of what it wrote to standard error."""
        self.stopped = True
        self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.writer is not None:
            self.writer.close()
        self.sock.close()
        if self.stderr < 0:
            return ""
        try:
            size = os.fstat(self.stderr).st_size
            tail = os.pread(self.stderr, STDERR_TAIL, max(0, size - STDERR_TAIL)).decode("utf-8", "replace").strip()
        except OSError:
            tail = ""
        os.close(self.stderr)
        self.stderr = -1
        return tail

    def death(self) -> str:
        """Why the process ended, in words (after :meth:`stop`)."""
        code = self.process.returncode
        if code is None or code >= 0:
            return f"exit code {code}"
        import signal

        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"


class _Generation:
    """The workers of one build."""

    def __init__(self, build: str, workers: list[_Worker]) -> None:
        self.build = build
        self.workers = set(workers)
        self.retired = False

    def stop(self) -> None:
        for worker in self.workers:
            _settle_all(worker, _MOVED)
            worker.stop()
        self.workers.clear()


def _settle_all(worker: _Worker, head: object) -> None:
    """Settle the jobs ``worker`` holds: the one it runs with ``head``, the rest as moved."""
    for index, job in enumerate(worker.jobs):
        job.settle(head if index == 0 else _MOVED)
    worker.jobs.clear()


class WorkerPool:
    """``size`` workers over the graph of the project at ``root``, each under ``memory_limit``
    bytes of address space (None: no ceiling)."""

    def __init__(self, root: Path, size: int, memory_limit: int | None, log) -> None:  # type: ignore[no-untyped-def]
        self.root = root
        self.size = size
        self.memory_limit = memory_limit
        self.log = log
        self.current: _Generation | None = None
        self.closed = False
        self.queue_within = QUEUE_WITHIN
        self.move_after = MOVE_AFTER
        self._numbers = itertools.count(1)
        self._waiters: deque[asyncio.Future[None]] = deque()  # requests waiting for a worker
        self._replacing: set[asyncio.Task[None]] = set()
        self._retired: set[_Generation] = set()  # replaced, with queries still running

    @property
    def build(self) -> str:
        """The build the pool answers from now."""
        return self.current.build if self.current else ""

    async def start(self) -> None:
        """Start the first generation; raises :class:`WorkerDied` when the graph cannot be loaded."""
        self.current = await self._generation()

    async def _generation(self) -> _Generation:
        results = await asyncio.gather(*(_Worker.start(self.root, self.memory_limit) for _ in range(self.size)), return_exceptions=True)
        workers = [w for w in results if isinstance(w, _Worker)]
        failures = [r for r in results if isinstance(r, BaseException)]
        builds = {w.build for w in workers}
        if failures or len(builds) > 1:
            for worker in workers:
                worker.stop()
            raise failures[0] if failures else WorkerDied("the build changed while the workers loaded it")
        generation = _Generation(builds.pop(), workers)
        for worker in workers:
            self._read(generation, worker)
        return generation

    async def reload(self) -> bool:
        """Load the build now in ``dist/`` into a new generation and switch to it; False (and
        the old generation kept) when it does not load."""
        old = self.current
        try:
            new = await self._generation()
        except WorkerDied as err:
            self.log(f"kg serve: the new build could not be loaded, still serving build {self.build}: {err}")
            return False
        if self.closed:
            new.stop()
            return False
        self.current = new
        if old is not None:
            old.retired = True
            self._retired.add(old)
            for worker in [w for w in old.workers if not w.jobs]:
                old.workers.discard(worker)
                worker.stop()
        self._wake(all_waiters=True)
        return True

    async def run(self, task: dict, timeout: float, wait: float,  # type: ignore[type-arg]
                  gone: Callable[[], Awaitable[object]] | None = None) -> Answer:
        """Run ``task`` on a worker of the current build: wait at most ``wait`` seconds for one
        (503; a task taken back from a worker is run on another within that time too) and
        ``timeout`` seconds for its answer (504: the worker is killed and replaced).
        ``gone`` returns once the client has gone away: it is watched once the request has
        lasted :data:`WATCH_AFTER` seconds, and then the worker is killed and replaced too, and
        the answer (499) goes nowhere."""
        loop = asyncio.get_running_loop()
        watch = _Watch(loop, gone)
        try:
            until = loop.time() + wait
            while True:
                taken = await self._take(until, watch)
                if isinstance(taken, Answer):
                    return taken
                generation, worker = taken
                now = loop.time()
                job = _Job(next(self._numbers), loop.create_future(), timeout)
                worker.submit(job, task, now)
                if len(worker.jobs) > 1:
                    loop.call_later(self.move_after, self._move, worker, job)
                expiry = loop.call_later(timeout, job.settle, _EXPIRED)
                watch.job = job
                try:
                    result = await job.future
                finally:
                    expiry.cancel()
                if result is _MOVED:
                    if loop.time() >= until:  # moved again and again: it has waited as long as any request may
                        return Answer(error(503, "every query worker is busy", "retry in a few seconds"), generation.build)
                    continue
                if result is _EXPIRED or result is _GONE:
                    return self._stopped(generation, worker, job, result, timeout)
                return Answer(result, generation.build)  # type: ignore[arg-type]
        finally:
            watch.cancel()

    def _stopped(self, generation: _Generation, worker: _Worker, job: _Job, why: object, timeout: float) -> Answer:
        """The answer for ``job``, stopped because it overran or its client went away: its worker
        is killed (when it runs the job) or told to skip it (when the job still waits)."""
        if worker.jobs and worker.jobs[0] is job:
            self._kill(generation, worker)
        elif job in worker.jobs:
            worker.send((job.number, None))
        if self.closed:
            return Answer(error(503, "the server is stopping; the query was stopped", "retry when it is back"), generation.build)
        if why is _GONE:
            return Answer(error(499, "the client closed the connection; the query was stopped"), generation.build)
        return Answer(error(504, f"the query ran longer than the server's limit of {timeout:g} s and was stopped", "make it more selective, or add a LIMIT"), generation.build)

    async def _take(self, until: float, watch: _Watch) -> tuple[_Generation, _Worker] | Answer:
        """A worker of the current generation, free or running a task that just started (see
        :data:`QUEUE_WITHIN`; of those, the one that started first), waiting until ``until`` at most; the current generation is read
        anew after every wait, so a request that waits across a reload takes a worker of the
        new build."""
        loop = asyncio.get_running_loop()
        while True:
            generation = self.current
            if generation is None or self.closed:
                return Answer(error(503, "the server is stopping"), "")
            if watch.gone():
                return Answer(error(499, "the client closed the connection"), generation.build)
            now = loop.time()
            behind = None  # of the workers whose task started a moment ago, the one that started first
            for worker in generation.workers:
                held = len(worker.jobs)
                if held == 0:
                    return generation, worker
                if held < DEPTH and now - worker.head_since < self.queue_within and (behind is None or worker.head_since < behind.head_since):
                    behind = worker
            if behind is not None:
                return generation, behind
            left = until - now
            if left <= 0:
                return Answer(error(503, "every query worker is busy", "retry in a few seconds"), generation.build)
            waiter = loop.create_future()
            self._waiters.append(waiter)
            watch.waiter = waiter
            try:
                await asyncio.wait_for(waiter, min(left, 0.5))
            except asyncio.TimeoutError:
                pass
            watch.waiter = None

    def _wake(self, all_waiters: bool = False) -> None:
        """Wake a request waiting for a worker (all of them on a reload)."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                if not all_waiters:
                    return

    def _move(self, worker: _Worker, job: _Job) -> None:
        """Take ``job`` back from ``worker`` if it still waits there (behind a task that runs
        long): the worker is told to skip it, and its request runs it elsewhere."""
        if job.future.done() or worker.stopped or not worker.jobs or worker.jobs[0] is job or job not in worker.jobs:
            return
        worker.send((job.number, None))
        job.settle(_MOVED)

    def _read(self, generation: _Generation, worker: _Worker) -> None:
        """Read ``worker``'s answers in the background, each to its job."""
        worker.reading = asyncio.ensure_future(self._answers(generation, worker))

    async def _answers(self, generation: _Generation, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                number, reply = await worker.receive()  # type: ignore[misc]
            except (WorkerDied, TypeError, ValueError):
                return self._ended(generation, worker)
            if not worker.jobs or worker.jobs[0].number != number:  # cannot happen: a worker answers in order
                self.log(f"kg serve: a query worker answered task {number} out of turn; it is replaced")
                return self._kill(generation, worker)
            job = worker.jobs.popleft()
            worker.head_since = loop.time()
            job.settle(_MOVED if reply is None else reply)
            if worker.jobs and worker.jobs[0].future.done():  # taken back as it began: no request bounds it
                loop.call_later(worker.jobs[0].timeout, self._orphan_overran, generation, worker, worker.jobs[0])
            if generation.retired and not worker.jobs:
                generation.workers.discard(worker)
                worker.stop()
                if not generation.workers:
                    self._retired.discard(generation)
                return
            self._wake()

    def _orphan_overran(self, generation: _Generation, worker: _Worker, job: _Job) -> None:
        """Kill ``worker`` if it still runs ``job``, a task its request took back as it began."""
        if worker.jobs and worker.jobs[0] is job and not worker.stopped:
            self._kill(generation, worker)

    def _ended(self, generation: _Generation, worker: _Worker) -> None:
        """``worker``'s socket closed: stopped by the pool (nothing to do), or died, on the job
        it ran (which gets the crash's reply) or while idle."""
        if worker.stopped:
            _settle_all(worker, _MOVED)
            return
        held = bool(worker.jobs)
        tail = self._replace(generation, worker, None)
        if held:
            _settle_all(worker, self._crash(worker, tail))
        else:
            self.log(f"kg serve: a query worker ended while idle ({worker.death()})")  # not a request's fault

    def _kill(self, generation: _Generation, worker: _Worker) -> None:
        """Kill ``worker`` (its running job was stopped) and replace it; the jobs waiting on it
        run elsewhere."""
        _settle_all(worker, _MOVED)
        self._replace(generation, worker, None)

    def _crash(self, worker: _Worker, tail: str) -> Reply:
        """The reply for a query whose worker died, and the log line with what it printed."""
        cause = worker.death()
        self.log(f"kg serve: a query worker died ({cause}); its last words: {tail[-500:]!r}" if tail else f"kg serve: a query worker died ({cause})")
        if self.memory_limit and (cause == "signal SIGABRT" or "memory" in tail.lower()):
            return out_of_memory(self.memory_limit)
        return error(500, "the query crashed the query engine", "it has been restarted; try a simpler query")

    def _replace(self, generation: _Generation, worker: _Worker, why: str | None) -> str:
        """Kill ``worker`` and, unless its generation is retired, start one in its place (in
        the background: the next request need not wait for it). Returns its last words."""
        generation.workers.discard(worker)
        tail = worker.stop()
        if why:
            self.log(f"kg serve: {why}")
        if not (generation.retired or self.closed):
            task = asyncio.ensure_future(self._add(generation))
            self._replacing.add(task)
            task.add_done_callback(self._replacing.discard)
        elif generation.retired and not generation.workers:
            self._retired.discard(generation)
        return tail

    async def _add(self, generation: _Generation) -> None:
        """Start a worker for ``generation``, trying again (with a pause) until it loads or the
        generation is retired: the pool must not shrink for good because one start failed."""
        pause = 0.5
        while not (generation.retired or self.closed):
            try:
                worker = await _Worker.start(self.root, self.memory_limit)
            except WorkerDied as err:
                self.log(f"kg serve: a query worker failed to start ({err}); retrying in {pause:g} s")
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            if worker.build != generation.build:  # dist/ changed under it: the reload will follow
                worker.stop()
                return
            if generation.retired or self.closed:
                worker.stop()
                return
            generation.workers.add(worker)
            self._read(generation, worker)
            self._wake()
            return

    def close(self) -> None:
        """Stop every worker, busy or not: the requests they served are answered 503."""
        self.closed = True
        for task in list(self._replacing):
            task.cancel()
        for generation in [*self._retired, *([self.current] if self.current else [])]:
            generation.retired = True
            generation.stop()
        self._retired.clear()
        self._wake(all_waiters=True)


# What a job's future gets when its request stops it: it overran, or its client went away.
_EXPIRED = object()
_GONE = object()


class _Watch:
    """Whether a request's client has gone, watched only once the request has lasted
    :data:`WATCH_AFTER` seconds; its current job is then settled with :data:`_GONE`."""

    def __init__(self, loop: asyncio.AbstractEventLoop, gone: Callable[[], Awaitable[object]] | None) -> None:
        self.job: _Job | None = None
        self.waiter: asyncio.Future[None] | None = None  # while the request waits for a worker
        self._gone = gone
        self._task: asyncio.Future[object] | None = None
        self._timer = loop.call_later(WATCH_AFTER, self.start) if gone is not None else None

    def start(self) -> None:
        """Watch from now on."""
        if self._task is None and self._gone is not None:
            self._task = asyncio.ensure_future(self._gone())
            self._task.add_done_callback(self._went)

    def _went(self, task: asyncio.Future[object]) -> None:
        if task.cancelled():
            return
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)
        elif self.job is not None:
            self.job.settle(_GONE)

    def gone(self) -> bool:
        """Whether the client is known to have gone."""
        return self._task is not None and self._task.done() and not self._task.cancelled()

    def cancel(self) -> None:
        """Stop watching (the request is answered)."""
        if self._timer is not None:
            self._timer.cancel()
        if self._task is not None:
            self._task.cancel()
