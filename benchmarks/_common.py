"""Shared by the benchmark scripts."""
from tinyres import backend


def device_or_skip(name):
    """The parsed device, or None after printing why it was skipped (e.g. no GPU here)."""
    try:
        return backend.parse_device(name)
    except backend.DeviceError as exc:
        print(f"skipped: {exc}")
        return None
