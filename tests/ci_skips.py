"""pytest plugin: under CI (env CI set) a skipped test or module fails, so a missing package or browser cannot pass
silently; elsewhere skips stay skips. tests/conftest.py loads it for the whole suite."""

from __future__ import annotations

import os

import pytest


def fail_skip_under_ci(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skipped report into a failure naming the skip's reason, when CI is set."""
    if not (os.environ.get("CI") and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"{reason}\n(CI is set, so every test must run: install what it needs)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    fail_skip_under_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> pytest.CollectReport:
    report = yield
    fail_skip_under_ci(report)
    return report
