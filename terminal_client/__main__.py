"""python -m terminal_client --hub http://127.0.0.1:8000 --lane 1"""

from __future__ import annotations

import sys

from terminal_client.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
