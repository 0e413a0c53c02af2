"""The query workers of ``kg serve``: processes that hold the built graph and run one query at
a time, each killable, so a query that overruns its time, is abandoned by its client or
exhausts its memory ceiling stops without stopping the server.

Workers are direct children of the server (started with ``subprocess``, not a fork of a
process that runs Rust threads), in their own session (a Ctrl-C in the terminal reaches the
server, which stops them), and they die with it even when it is killed outright (the
worker's parent-death signal). They speak multiprocessing's framing over a socket pair:
a 4-byte big-endian length (or -1 and an 8-byte one), then a pickle.

The workers form a *generation*, all on one build of ``dist/``. When ``dist/`` is rebuilt a
new generation loads the new build beside the old; once every new worker is ready the pool
switches to it at once, and each old worker is stopped when its query is done. A request
runs on one worker, so it sees one build, never a mix.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from kg.use.server.worker import Reply, error, out_of_memory

# A worker loads the graph in about a second on this dataset (a cached store opens in
# ~15 ms); a minute allows for a slow disk and a much larger graph.
START_TIMEOUT = 120.0
# How much of a dead worker's standard error the log keeps.
STDERR_TAIL = 2000
_CHILD = (
    "import sys\n"
    "from multiprocessing.connection import Connection\n"
    "from kg.use.server.worker import main\n"
    "main(Connection(int(sys.argv[1])), sys.argv[2], memory_limit=int(sys.argv[3]) or None, parent_pid=int(sys.argv[4]))\n"
)


class Answer(NamedTuple):
    """A worker's reply and the build it was computed on."""

    reply: Reply
    build: str


class WorkerDied(Exception):
    """A worker ended while it was starting or running a query."""


class _Worker:
    """One worker process, its end of the socket pair, and the file its standard error goes to."""

    def __init__(self, process: subprocess.Popen[bytes], sock: socket.socket, stderr: int) -> None:
        self.process = process
        self.sock = sock
        self.stderr = stderr  # a descriptor of an unlinked file: nothing is left behind, whatever ends the server
        self.build = ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

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
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=handle,
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
        """Send a task (small: it is buffered at once)."""
        assert self.writer is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(struct.pack("!i", len(data)) + data)

    def stop(self) -> str:
        """Kill the process (it may be running a query that cannot be interrupted) and return
        the end of what it wrote to standard error."""
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
    """The workers of one build, with a queue of those free."""

    def __init__(self, build: str, workers: list[_Worker]) -> None:
        self.build = build
        self.workers = set(workers)
        self.idle: asyncio.Queue[_Worker] = asyncio.Queue()
        for worker in workers:
            self.idle.put_nowait(worker)
        self.retired = False

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()


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
        return _Generation(builds.pop(), workers)

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
            while not old.idle.empty():
                worker = old.idle.get_nowait()
                old.workers.discard(worker)
                worker.stop()
        return True

    async def run(self, task: dict, timeout: float, wait: float, abandoned: asyncio.Future[object] | None = None) -> Answer:  # type: ignore[type-arg]
        """Run ``task`` on a free worker of the current build: wait at most ``wait`` seconds for
        one (503) and ``timeout`` seconds for its answer (504: the worker is killed and
        replaced). When ``abandoned`` completes first (the client went away), the worker is
        killed and replaced too, and the answer (499) goes nowhere."""
        taken = await self._take(wait, abandoned)
        if isinstance(taken, Answer):
            return taken
        generation, worker = taken
        worker.send(task)
        receiving = asyncio.ensure_future(worker.receive())
        done, _ = await asyncio.wait({receiving, *([abandoned] if abandoned else [])}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if receiving in done and receiving.exception() is None:
            self._give_back(generation, worker)
            return Answer(receiving.result(), generation.build)  # type: ignore[arg-type]
        receiving.cancel()
        if self.closed:  # the server is stopping and stopped every worker
            return Answer(error(503, "the server is stopping; the query was stopped", "retry when it is back"), generation.build)
        if receiving in done:  # the worker died on this query
            tail = self._replace(generation, worker, None)
            return Answer(self._crash(worker, tail), generation.build)
        self._replace(generation, worker, None)
        if abandoned is not None and abandoned.done():
            return Answer(error(499, "the client closed the connection; the query was stopped"), generation.build)
        return Answer(error(504, f"the query ran longer than the server's limit of {timeout:g} s and was stopped", "make it more selective, or add a LIMIT"), generation.build)

    async def _take(self, wait: float, abandoned: asyncio.Future[object] | None) -> tuple[_Generation, _Worker] | Answer:
        """A free worker of the current generation, waiting at most ``wait`` seconds; re-read
        the current generation every half second, so a request that waits across a reload
        takes a worker of the new build."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            generation = self.current
            if generation is None or self.closed:
                return Answer(error(503, "the server is stopping"), "")
            if abandoned is not None and abandoned.done():
                return Answer(error(499, "the client closed the connection"), generation.build)
            left = deadline - loop.time()
            if left <= 0:
                return Answer(error(503, "every query worker is busy", "retry in a few seconds"), generation.build)
            try:
                worker = generation.idle.get_nowait()  # the common case, without a timer
            except asyncio.QueueEmpty:
                try:
                    worker = await asyncio.wait_for(generation.idle.get(), min(left, 0.5))
                except asyncio.TimeoutError:
                    continue
            if generation.retired:
                self._give_back(generation, worker)
                continue
            if worker.process.poll() is None:
                return generation, worker
            self._replace(generation, worker, f"a query worker ended while idle ({worker.death()})")  # not this request's fault

    def _crash(self, worker: _Worker, tail: str) -> Reply:
        """The reply for a query whose worker died, and the log line with what it printed."""
        cause = worker.death()
        self.log(f"kg serve: a query worker died ({cause}); its last words: {tail[-500:]!r}" if tail else f"kg serve: a query worker died ({cause})")
        if self.memory_limit and (cause == "signal SIGABRT" or "memory" in tail.lower()):
            return out_of_memory(self.memory_limit)
        return error(500, "the query crashed the query engine", "it has been restarted; try a simpler query")

    def _give_back(self, generation: _Generation, worker: _Worker) -> None:
        if generation.retired or self.closed:
            generation.workers.discard(worker)
            worker.stop()
            if not generation.workers:
                self._retired.discard(generation)
        else:
            generation.idle.put_nowait(worker)

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
            generation.idle.put_nowait(worker)
            return

    def close(self) -> None:
        """Stop every worker, busy or not."""
        self.closed = True
        for task in list(self._replacing):
            task.cancel()
        for generation in [*self._retired, *([self.current] if self.current else [])]:
            generation.retired = True
            generation.stop()
        self._retired.clear()
