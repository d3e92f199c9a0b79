"""A 用户信息传输装置 (user information transmission device) simulator for GB/T 26875.3-2011 frames,
written from the frame layout in docs/operations.md ("GB/T 26875.3 receiver"), which cites the
public sources it rests on (the standard's own text was not available).

Frame: '@@' | serial u16 LE | version (major, user) | time tag 6 | source 6 LE | destination 6 LE |
data-unit length u16 LE | command u8 | data unit | checksum (sum of bytes 3..27+len, low 8 bits) | '##'.
"""
import datetime as dt
import socket
import struct

SEND_DATA, CONFIRM, REQUEST, DENY = 2, 3, 4, 6
FIRE, FAULT, SHIELDED, SUPERVISORY, RESET = 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 13
OPERATION_RESET, OPERATION_MUTE = 1 << 0, 1 << 1
NORMAL_RUN = 1 << 0  # bit 0: 1 = normal operation, 0 = test
CHINA = dt.timezone(dt.timedelta(hours=8))


def time_tag(t=None):
    t = t or dt.datetime.now(CHINA)
    return bytes([t.second, t.minute, t.hour, t.day, t.month, t.year - 2000])


def frame(serial, source, destination, command, unit=b"", t=None, length=None, checksum=None,
          start=b"@@", end=b"##"):
    body = (struct.pack("<H", serial) + bytes([1, 0]) + time_tag(t) +
            source.to_bytes(6, "little") + destination.to_bytes(6, "little") +
            struct.pack("<H", len(unit) if length is None else length) + bytes([command]) + unit)
    cs = sum(body) & 0xFF if checksum is None else checksum
    return start + body + bytes([cs]) + end


def system_status(*objects):
    """objects: (system_type, system_address, state[, time])."""
    out = bytes([1, len(objects)])
    for o in objects:
        out += bytes([o[0], o[1]]) + struct.pack("<H", o[2]) + time_tag(o[3] if len(o) > 3 else None)
    return out


def component_status(*objects):
    """objects: (system_type, system_address, component_type, component_address, state,
    description[, time])."""
    out = bytes([2, len(objects)])
    for o in objects:
        desc = o[5].encode("gb18030")[:31].ljust(31, b"\0")
        out += (bytes([o[0], o[1], o[2]]) + struct.pack("<I", o[3]) + struct.pack("<H", o[4]) + desc +
                time_tag(o[6] if len(o) > 6 else None))
    return out


def operation_info(*objects):
    """Data unit type 4 (建筑消防设施操作信息); objects: (system_type, system_address, flags,
    operator[, time]). Flag bit 0 is 复位."""
    out = bytes([4, len(objects)])
    for o in objects:
        out += bytes([o[0], o[1], o[2], o[3]]) + time_tag(o[4] if len(o) > 4 else None)
    return out


def parse(data):
    """A received frame as a dict; raises AssertionError when it is not a well-formed frame."""
    assert data[:2] == b"@@" and data[-2:] == b"##", data
    length = struct.unpack_from("<H", data, 24)[0]
    assert len(data) == 27 + length + 3, data
    assert sum(data[2:27 + length]) & 0xFF == data[27 + length], "bad checksum in reply"
    return {"serial": struct.unpack_from("<H", data, 2)[0], "version": (data[4], data[5]),
            "time": data[6:12],
            "source": int.from_bytes(data[12:18], "little"),
            "destination": int.from_bytes(data[18:24], "little"),
            "command": data[26], "unit": data[27:27 + length]}


class Device:
    """One TCP connection of a transmission device to the receiver."""

    def __init__(self, port, address, centre=0):
        self.address = address
        self.centre = centre
        self.serial = 0
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, unit, command=SEND_DATA, **kw):
        """Sends one frame with the next serial; returns that serial."""
        self.serial += 1
        self.send_raw(frame(self.serial, self.address, self.centre, command, unit, **kw))
        return self.serial

    def _read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("the receiver closed the connection")
            out += chunk
        return out

    def reply(self, timeout=10):
        self.sock.settimeout(timeout)
        head = self._read(27)
        length = struct.unpack_from("<H", head, 24)[0]
        return parse(head + self._read(length + 3))

    def no_reply(self, wait=0.5):
        """True when nothing arrives within `wait` seconds."""
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(1)
        except socket.timeout:
            return True
        return data == b""

    def close(self):
        self.sock.close()

