#!/usr/bin/env python3
"""Runs a SIPVicious tool (svmap, svwar, svcrack) with its tell-tale User-Agent replaced by an
ordinary phone's, the way real attackers hide it: Shield must then find the tool by what it does.

    disguised.py svwar -b 127.0.0.66 -e200-260 -p 5190 127.0.0.1
"""
import importlib
import os
import sys

# Debian installs the package under /usr/share/sipvicious; pip puts it on sys.path itself.
for path in ("/usr/share/sipvicious",):
    if os.path.isdir(path) and path not in sys.path:
        sys.path.insert(0, path)

import sipvicious.libs.svhelper as helper  # noqa: E402

DISGUISE = "Yealink SIP-T46S 66.86.0.15"
original = helper.makeRequest


def disguised(*args, **kwargs):
    kwargs["useragent"] = DISGUISE
    return original(*args, **kwargs)


# Patched before the tool imports it by name.
helper.makeRequest = disguised

if len(sys.argv) < 2 or sys.argv[1] not in ("svmap", "svwar", "svcrack"):
    sys.exit("usage: disguised.py svmap|svwar|svcrack ARGS...")
tool = importlib.import_module("sipvicious." + sys.argv[1])
sys.argv = [sys.argv[1]] + sys.argv[2:]
sys.exit(tool.main())
