"""Launcher: ``emulator/.venv/bin/python emulator/run.py --port 0 [...]`` from any directory.

Puts emulator/ on sys.path, then runs ``python -m certinv_emulator`` with the same
arguments.
"""

import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
runpy.run_module("certinv_emulator", run_name="__main__", alter_sys=True)
