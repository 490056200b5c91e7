"""Finding the address phones on the same Wi-Fi should open, without touching the network."""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import subprocess


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not ip.is_loopback and not ip.is_link_local and not ip.is_unspecified


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on its networks (Wi-Fi, wired), private ones first."""
    found: list[str] = []
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    for tool, args in (("ip", ["-4", "-o", "addr", "show"]), ("ifconfig", [])):
        if path := shutil.which(tool):
            try:
                output = subprocess.run([path, *args], capture_output=True, text=True, timeout=3).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            found += re.findall(r"inet (?:addr:)?(\d+\.\d+\.\d+\.\d+)", output)
            break
    unique = list(dict.fromkeys(a for a in found if _usable(a)))
    return sorted(unique, key=lambda a: not ipaddress.ip_address(a).is_private)


def phone_url(host: str, port: int) -> str:
    """The URL to print and to put in QR codes."""
    if host not in ("0.0.0.0", "::", ""):
        return f"http://{host}:{port}"
    addresses = lan_addresses()
    return f"http://{addresses[0]}:{port}" if addresses else f"http://localhost:{port}"
