"""A bounded cache of answers: the data is read-only, so an answer stays right for as long as
its build is served. Keys name the build, the request and the format asked for; the least
recently used answers go first once the bytes held pass the bound."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from kg.use.server.responses import Response


class AnswerCache:
    """At most ``capacity`` bytes of answers; one answer may take at most an eighth of them."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.held = 0
        self._entries: OrderedDict[Hashable, Response] = OrderedDict()

    def get(self, key: Hashable) -> Response | None:
        """The answer kept for ``key``, now the most recently used; None when there is none."""
        response = self._entries.get(key)
        if response is not None:
            self._entries.move_to_end(key)
        return response

    def put(self, key: Hashable, response: Response) -> None:
        """Keep ``response`` (unless it is too big to be worth it), dropping the oldest answers."""
        if response.size > self.capacity // 8 or key in self._entries:
            return
        self._entries[key] = response
        self.held += response.size
        while self.held > self.capacity:
            _, dropped = self._entries.popitem(last=False)
            self.held -= dropped.size

    def clear(self) -> None:
        """Forget everything (a new build is served)."""
        self._entries.clear()
        self.held = 0

    def __len__(self) -> int:
        return len(self._entries)
