#!/usr/bin/env python3
"""Runs a SIPVicious tool (svmap, svwar, svcrack) from a chosen loopback address, optionally with
its tell-tale User-Agent replaced by an ordinary phone's, the way real attackers hide it.

    sipvicious_run.py --bind 127.0.0.66 [--disguise] svwar -e200-260 -p 5190 127.0.0.1

SIPVicious 0.3.3's svwar and svcrack accept -b but never pass it on, so the socket is bound to
the address here instead. With --disguise, Shield must find the tool by what it does.
"""
import importlib
import os
import socket
import sys

# Debian installs the package under /usr/share/sipvicious; pip puts it on sys.path itself.
for path in ("/usr/share/sipvicious",):
    if os.path.isdir(path) and path not in sys.path:
        sys.path.insert(0, path)

import sipvicious.libs.svhelper as helper  # noqa: E402

arguments = sys.argv[1:]
bind_address = None
disguise = False
while arguments and arguments[0].startswith("--"):
    option = arguments.pop(0)
    if option == "--bind":
        bind_address = arguments.pop(0)
    elif option == "--disguise":
        disguise = True
    else:
        sys.exit(f"unknown option {option}")
if not arguments or arguments[0] not in ("svmap", "svwar", "svcrack"):
    sys.exit("usage: sipvicious_run.py [--bind ADDRESS] [--disguise] svmap|svwar|svcrack ARGS...")

if bind_address:
    original_bind = socket.socket.bind

    def bind(self, address):
        if isinstance(address, tuple) and address[0] in ("", "0.0.0.0"):
            address = (bind_address,) + tuple(address[1:])
        return original_bind(self, address)

    socket.socket.bind = bind

if disguise:
    original_request = helper.makeRequest

    def disguised(*args, **kwargs):
        kwargs["useragent"] = "Yealink SIP-T46S 66.86.0.15"
        return original_request(*args, **kwargs)

    # Patched before the tool imports it by name.
    helper.makeRequest = disguised

tool = importlib.import_module("sipvicious." + arguments[0])
sys.argv = [arguments[0]] + arguments[1:]
sys.exit(tool.main())
