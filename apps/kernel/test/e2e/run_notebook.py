"""Execute a notebook with nbclient and print the executed notebook as JSON.

Usage: /usr/bin/python3 run_notebook.py NOTEBOOK KERNEL_NAME
The kernelspec is found through JUPYTER_PATH; the kernel inherits this process's environment.
"""
import json
import os
import sys

import nbformat
from nbclient import NotebookClient


def main() -> int:
    path, kernel_name = sys.argv[1], sys.argv[2]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=120,
        startup_timeout=120,
        allow_errors=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    client.execute()
    json.dump(nb, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
