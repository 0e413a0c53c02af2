"""Worker processes that run the queries, each killable: a query that overruns its time limit
is stopped by killing its worker (and a new one takes its place) while the others go on."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from pathlib import Path

from kg.use.server.worker import Reply, error

# Workers are forked from a clean server process, not from the threaded HTTP server.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["pyoxigraph", "kg.use.server.worker", "kg.use.query", "kg.use.formats", "kg.use.params"])


class _Process:
    """One worker process and its end of the pipe."""

    def __init__(self, root: Path) -> None:
        from kg.use.server.worker import main

        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=main, args=(child, str(root)), daemon=True)
        self.process.start()
        child.close()
        state, detail = self.conn.recv()
        if state != "ready":
            self.stop()
            raise RuntimeError(f"a query worker could not load the graph: {detail}")

    def stop(self) -> None:
        """Kill the process (it may be running a query that cannot be interrupted)."""
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """``size`` workers over the graph of the project at ``root``."""

    def __init__(self, root: Path, size: int) -> None:
        self.root = root
        self.idle: queue.Queue[_Process] = queue.Queue()
        self.lock = threading.Lock()
        self.all: set[_Process] = set()
        self.closed = False
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = _Process(self.root)
        with self.lock:
            self.all.add(worker)
        self.idle.put(worker)

    def _add_retrying(self) -> None:
        """Start a replacement, trying again (with a pause) until it loads or the pool closes:
        the pool must not shrink for good because one start failed."""
        import sys
        import time

        pause = 0.5
        while not self.closed:
            try:
                self._add()
                return
            except Exception as err:  # noqa: BLE001  (logged; the server goes on with the others)
                print(f"kg serve: a query worker failed to start ({err}); retrying in {pause:g} s", file=sys.stderr)
                time.sleep(pause)
                pause = min(pause * 2, 30.0)

    def _replace(self, worker: _Process) -> None:
        with self.lock:
            self.all.discard(worker)
        worker.stop()
        if not self.closed:
            threading.Thread(target=self._add_retrying, daemon=True).start()  # the next request need not wait for it

    def run(self, task: dict, timeout: float, wait: float) -> Reply:  # type: ignore[type-arg]
        """Run ``task`` on a free worker: wait at most ``wait`` seconds for one (503), and
        ``timeout`` seconds for its answer (504; the worker is killed and replaced)."""
        import time

        deadline = time.monotonic() + wait
        while True:
            try:
                worker = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return error(503, "every query worker is busy", f"retry in a few seconds (each query may take up to {timeout:g} s)")
            if worker.process.is_alive():
                break
            self._replace(worker)  # died while idle: not this request's fault
        try:
            worker.conn.send(task)
            if not worker.conn.poll(timeout):
                self._replace(worker)
                return error(504, f"the query ran longer than the server's limit of {timeout:g} s and was stopped", "make it more selective, or add a LIMIT")
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)  # the engine died (pyoxigraph can crash on some queries)
            return error(500, "the query crashed the query engine", "it has been restarted; try a simpler query")
        self.idle.put(worker)
        return reply

    def close(self) -> None:
        """Stop every worker."""
        self.closed = True
        with self.lock:
            workers = list(self.all)
            self.all.clear()
        for worker in workers:
            worker.stop()
