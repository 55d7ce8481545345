"""A loopback TCP proxy between the services and the emulator, with network faults on command.

    proxy = FaultProxy(upstream=("127.0.0.1", 4566)).start()   # listens on 127.0.0.1:<proxy.port>
    proxy.mode("reset")      # every open and every new connection is closed at once with an RST
    proxy.mode("blackhole")  # connections are accepted (and open ones kept) but nothing is forwarded
    proxy.mode("lose-answers", only=b"AmazonSQS.SendMessage")  # done, but their answers are lost
    proxy.mode("throttle")   # every request answered 400 ProvisionedThroughputExceededException
    proxy.mode("pass")       # forward again
    proxy.stop()

Semantics of the modes:

- ``pass``: bytes are forwarded both ways.
- ``reset``: every connection that is open is aborted with SO_LINGER 0 (the peer sees
  ECONNRESET), on both sides; every new connection is accepted and aborted the same way.
- ``lose-answers``: requests reach the emulator and are done, but the first bytes of an answer
  make the proxy reset the connection instead of passing them on (the client sees ECONNRESET
  after its request was carried out: a send that got through with its answer lost). With
  ``only``, just the answers to requests whose head contains those bytes (e.g. an
  ``X-Amz-Target``); the rest pass.
- ``throttle``: DynamoDB (or any JSON-protocol service) throttling every request: each request is
  read whole and answered 400 with a ``ProvisionedThroughputExceededException`` body, on
  keep-alive connections; nothing reaches the emulator. Open connections are closed when the mode
  switches, to or from it, so the next request sees the new mode.
- ``blackhole``: a network that drops every packet. New connections are accepted and held open,
  and nothing is forwarded or answered (what the client sends is read and dropped); open
  connections stop forwarding in both directions. A connection caught by the black hole stays
  dead after it ends (back to ``pass``): it never forwards again and is closed only when its
  client gives up (or by a ``reset``, or ``stop()``). So a client without its own timeouts hangs,
  as it would behind a real black hole; only new connections work again.

The proxy runs its own asyncio loop in a daemon thread. It holds at most ``max_connections``
connections (one more is aborted at once) and ``stop()`` closes everything within a few seconds.
"""
from __future__ import annotations

import asyncio
import socket
import struct
import threading
from dataclasses import dataclass, field

MODES = ("pass", "reset", "blackhole", "lose-answers", "throttle")
THROTTLED = (b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
             b'"message":"The level of configured provisioned throughput for the table was exceeded."}')
_METHODS = (b"GET ", b"HEAD ", b"PUT ", b"POST ", b"DELETE ")


def _abort(writer: asyncio.StreamWriter | None) -> None:
    """Closes the connection with an RST (SO_LINGER 0), not a FIN."""
    if writer is None:
        return
    transport = writer.transport
    if transport.is_closing() and transport.get_extra_info("socket") is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


@dataclass(eq=False)
class _Connection:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    held: bool = False    # accepted during a black hole, never forwarded
    request_head: bytes = b""  # the start of the latest request sent on it
    frozen: bool = False  # caught by a black hole: forwards nothing, ever again
    tasks: list[asyncio.Task] = field(default_factory=list)

    def abort(self) -> None:
        _abort(self.client)
        _abort(self.upstream)
        for task in self.tasks:
            task.cancel()


@dataclass
class ProxyStats:
    accepted: int = 0
    reset: int = 0
    held: int = 0
    frozen: int = 0
    refused_over_limit: int = 0
    answers_lost: int = 0
    throttled: int = 0
    bytes_up: int = 0
    bytes_down: int = 0


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], host: str = "127.0.0.1", port: int = 0,
                 max_connections: int = 1024, connect_timeout: float = 5.0) -> None:
        self.upstream = upstream
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        self.max_connections = max_connections
        self.connect_timeout = connect_timeout
        self.stats = ProxyStats()
        self._mode = "pass"
        self._lose_only: bytes | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[_Connection] = set()
        self._started = threading.Event()
        self._start_error: BaseException | None = None

    # -- control (any thread) -------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def current_mode(self) -> str:
        return self._mode

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    def start(self) -> "FaultProxy":
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the fault proxy did not start within 10 s")
        if self._start_error is not None:
            raise RuntimeError(f"the fault proxy could not start: {self._start_error}")
        return self

    def mode(self, mode: str, only: bytes | None = None) -> None:
        """Switches the mode; returns once open connections have been dealt with. `only` narrows
        ``lose-answers`` to the requests whose head contains it."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self._lose_only = only
        assert self._loop is not None, "start() first"
        future = asyncio.run_coroutine_threadsafe(self._set_mode(mode), self._loop)
        future.result(timeout=10)

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        except Exception:  # noqa: BLE001 - stopping must not fail a test's teardown
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop = None
        self._thread = None

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the loop's thread ------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._accept, self.host, self._requested_port, backlog=512, reuse_address=True))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as error:  # noqa: BLE001
            self._start_error = error
            self._started.set()
            loop.close()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
            try:
                loop.run_until_complete(asyncio.sleep(0))
            except Exception:  # noqa: BLE001
                pass
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.abort()
        self._connections.clear()

    async def _set_mode(self, mode: str) -> None:
        previous, self._mode = self._mode, mode
        if "throttle" in (previous, mode) and previous != mode:
            for connection in list(self._connections):
                connection.abort()
            self._connections.clear()
        if mode == "reset":
            for connection in list(self._connections):
                connection.abort()
                self.stats.reset += 1
            self._connections.clear()
        elif mode == "blackhole":
            for connection in self._connections:
                if not connection.frozen:
                    connection.frozen = True
                    self.stats.frozen += 1

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.accepted += 1
        connection = _Connection(client=writer)
        if len(self._connections) >= self.max_connections:
            self.stats.refused_over_limit += 1
            _abort(writer)
            return
        if self._mode == "reset":
            self.stats.reset += 1
            _abort(writer)
            return
        self._connections.add(connection)
        try:
            if self._mode == "throttle":
                await self._throttle(reader, writer, connection)
                return
            if self._mode == "blackhole":
                connection.held = connection.frozen = True
                self.stats.held += 1
                # Never forward, never answer: drop what comes until the client gives up.
                try:
                    while connection in self._connections:
                        if not await reader.read(65536):
                            break
                except (ConnectionError, OSError):
                    pass
                return
            try:
                upstream_reader, upstream_writer = await asyncio.wait_for(
                    asyncio.open_connection(*self.upstream), self.connect_timeout)
            except (OSError, asyncio.TimeoutError):
                _abort(writer)
                return
            connection.upstream = upstream_writer
            if connection not in self._connections:  # reset while connecting
                connection.abort()
                return
            up = asyncio.ensure_future(self._pipe(reader, upstream_writer, connection, "up"))
            down = asyncio.ensure_future(self._pipe(upstream_reader, writer, connection, "down"))
            connection.tasks = [up, down]
            await asyncio.gather(up, down, return_exceptions=True)
        finally:
            if connection in self._connections:
                self._connections.discard(connection)
                for stream in (connection.client, connection.upstream):
                    if stream is not None and not stream.transport.is_closing():
                        stream.close()

    async def _throttle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, connection: _Connection) -> None:
        """Answers each request on the connection with 400 throttling, until the client closes."""
        try:
            while connection in self._connections and self._mode == "throttle":
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length:
                    await reader.readexactly(length)
                self.stats.throttled += 1
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(THROTTLED), THROTTLED))
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError, ValueError):
            pass

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                    connection: _Connection, direction: str) -> None:
        try:
            while True:
                data = await source.read(65536)
                if connection not in self._connections:
                    return
                if connection.frozen:
                    # Caught by a black hole: drop everything. The client giving up ends it; the
                    # emulator closing its side is not passed on.
                    if not data:
                        if direction == "up":
                            connection.abort()
                            self._connections.discard(connection)
                        else:
                            _abort(connection.upstream)
                        return
                    continue
                if not data:
                    if sink.can_write_eof():
                        sink.write_eof()
                    return
                if direction == "up" and data.startswith(_METHODS):
                    connection.request_head = data[:4096]
                if (direction == "down" and self._mode == "lose-answers"
                        and (self._lose_only is None or self._lose_only in connection.request_head)):
                    self.stats.answers_lost += 1
                    connection.abort()
                    self._connections.discard(connection)
                    return
                sink.write(data)
                await sink.drain()
                if direction == "up":
                    self.stats.bytes_up += len(data)
                else:
                    self.stats.bytes_down += len(data)
        except (ConnectionError, OSError, asyncio.CancelledError):
            if connection in self._connections:
                connection.abort()
                self._connections.discard(connection)
