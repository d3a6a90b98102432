"""One window per library: a second launch raises the running window and exits.

The first app on a library listens on a local socket (QLocalServer) named after the
library's folder; a later launch on the same library connects, says "raise", and quits
instead of opening a read-only second window. A dead server (a crash left its socket
file) is cleaned up by `listen`.
"""

from __future__ import annotations

import hashlib
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_MS = 500


def server_name(library_root: str | os.PathLike[str]) -> str:
    key = os.path.realpath(os.fspath(library_root)).encode("utf-8", "surrogateescape")
    user = os.environ.get("USER", "") or str(os.getuid() if hasattr(os, "getuid") else "")
    return f"photosearch-{user}-{hashlib.blake2b(key, digest_size=8).hexdigest()}"


def raise_running(name: str, timeout_ms: int = CONNECT_MS) -> bool:
    """Ask the app already running on this library to show its window; True if one did."""
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(timeout_ms):
        return False
    sock.write(b"raise\n")
    sock.flush()
    if sock.bytesToWrite() > 0:
        sock.waitForBytesWritten(timeout_ms)
    ok = sock.bytesToWrite() == 0
    sock.disconnectFromServer()
    return ok


class InstanceServer(QObject):
    """Listens for later launches; `activate_requested` asks the window to come forward."""

    activate_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.newConnection.connect(self._connection)
        if not self.server.listen(name):
            QLocalServer.removeServer(name)  # a stale socket file from a crash
            self.server.listen(name)

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def _connection(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.readyRead.connect(self._read)
            if sock.bytesAvailable():
                self._read(sock)

    def _read(self, sock: QLocalSocket | None = None) -> None:
        sock = sock or self.sender()
        if isinstance(sock, QLocalSocket) and \
                bytes(sock.readAll().data()).startswith(b"raise"):
            sock.disconnectFromServer()
            self.activate_requested.emit()

    def close(self) -> None:
        self.server.close()


def bring_forward(window) -> None:
    """Show `window` in front of the others (un-minimised, focused)."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
