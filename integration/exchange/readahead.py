"""Reading a remote feed one step ahead of the code that writes it.

The producer (HTTP only, never the database) runs in a thread and stays at most ``depth``
items ahead; its exceptions surface in the consumer. Leaving the ``with`` block early stops it.
"""

import queue
import threading

_END = object()


class ReadAhead:
    def __init__(self, items, depth: int = 2):
        self._items = items
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="read-ahead", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        while self._thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                self._queue.get(timeout=0.1)
            except queue.Empty:
                pass
        self._thread.join()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as exc:  # handed over to the consumer, raised there
            self._put(_Failure(exc))

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error
