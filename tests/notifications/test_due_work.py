"""The worker's due-work hook: registered callables run with `now`, a failing one is logged
and does not stop the others."""

from datetime import UTC, datetime

from guildbook.notifications import due_work

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_each_callable_runs_with_now_and_a_failure_does_not_stop_the_others(monkeypatch, caplog):
    monkeypatch.setattr(due_work, "_registry", {})
    seen = []

    @due_work.due_work("test.broken")
    def broken(now):
        raise RuntimeError("boom")

    @due_work.due_work("test.counts")
    def counts(now):
        seen.append(now)
        return 3

    @due_work.due_work("test.nothing")
    def nothing(now):
        seen.append(now)

    done = due_work.run_due_work(NOW)
    assert seen == [NOW, NOW]
    assert done == {"test.counts": 3, "due_work_failed": 1}
    assert "due work test.broken failed" in caplog.text
