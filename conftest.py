"""Repository-wide pytest settings.

A skipped test is a test that did not run: the suite reports it as a failure, so that
a missing browser, an HTTP server that did not start or a forgotten skip never passes
silently.
"""

import pytest


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == pytest.ExitCode.OK:
        reporter.write_line(f"FAILED: {len(skipped)} test(s) were skipped; every test must run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
