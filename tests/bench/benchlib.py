"""Shared by the benchmark scripts of this folder (run as scripts, so this folder is on sys.path)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ensure_database(database, addons="aftersales_warranty"):
    """Create ``database`` with ``addons`` installed when it does not exist yet."""
    exists = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", f"select 1 from pg_database where datname='{database}'"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if exists != "1":
        print(f"Creating database {database} with {addons} (about a minute)...", flush=True)
        command = [sys.executable, "-m", "odoo", f"--addons-path={ROOT}", "-d", database, "-i", addons]
        subprocess.run([*command, "--stop-after-init", "--log-level=warn"], check=True)
