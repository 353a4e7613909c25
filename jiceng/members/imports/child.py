"""The import's writer process (see sinks.py): `python -m jiceng.members.imports.child R W`
reads framed messages from file descriptor R and answers on W.

Imports nothing of Django's at module level, so the parent can use its framing functions too
without loading anything, and so the child sets Django up with the parent's settings first.
"""

import contextlib
import os
import pickle
import struct
import sys
import traceback
from typing import IO, Any

_LENGTH = struct.Struct(">Q")


def send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message, or None when the other side has closed the pipe."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # noqa: S301  (our own parent process, over our own pipe)


def main(read_fd: int, write_fd: int) -> int:
    incoming = os.fdopen(read_fd, "rb")
    outgoing = os.fdopen(write_fd, "wb")
    init = receive(incoming)
    if init is None:
        return 1
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict.update(init["database"])
    try:
        from .sinks import serve

        serve(init, incoming, outgoing)
    except BaseException as exc:
        detail = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-3000:]}"
        with contextlib.suppress(OSError):
            send(outgoing, ("error", detail))
        return 1
    finally:
        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
