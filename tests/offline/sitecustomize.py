"""Loaded by every Python process of an offline test run: refuse any connection off this machine."""

import ipaddress
import socket

_connect = socket.socket.connect


def _guarded_connect(self, address):  # noqa: ANN001, ANN202
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            with open("/tmp/phare-offline-violations.log", "a") as log:
                log.write(f"{host}\n")
            raise ConnectionRefusedError(f"offline test: connection to {host} refused")
    return _connect(self, address)


socket.socket.connect = _guarded_connect
