"""The rule that under CI (env CI set) a skip fails the run, checked on a small suite run by pytester."""

from __future__ import annotations

import pytest

SUITE = """
import pytest

def test_runs():
    pass

def test_skips():
    pytest.skip("needs a thing")

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False
"""
SKIPPED_MODULE = """
import pytest

pytest.importorskip("no_such_module_anywhere")

def test_never_collected():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A test folder with the plugin loaded, a passing test, a skipped one, an xfail and a module that skips."""
    pytester.makeconftest('pytest_plugins = ("tests.ci_skips",)')
    pytester.makepyfile(test_suite=SUITE, test_skipped_module=SKIPPED_MODULE)
    return pytester


def test_without_ci_skips_stay_skips(suite, monkeypatch):
    """With CI unset, the skipped test and module are reported as skipped and the run passes."""
    monkeypatch.delenv("CI", raising=False)
    result = suite.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    assert result.ret == pytest.ExitCode.OK


def test_under_ci_every_skip_fails(suite, monkeypatch):
    """With CI set, the skipped test fails, the skipped module is a collection error, the run fails; xfail stays.

    (Without --continue-on-collection-errors pytest stops at that error, which fails the run all the same.)"""
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*needs a thing*", "*no_such_module_anywhere*"])
