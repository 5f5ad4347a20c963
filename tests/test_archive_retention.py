"""The retention rule (SPEC 6, R-6.3): which backups are kept (grandfather-father-son), what a
malformed rule says, and that pruning after a good backup never removes a piece a kept backup
names — every kept backup still decrypts in full."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from lpse.archive import keys, manifest, retention
from lpse.archive.models import BackupRun, RunState
from lpse.archive.services import backup, verify
from tests import archive_helpers
from tests.archive_helpers import some_blobs

# The shared fixtures, under the names the tests ask for.
backup_folder, offline_key = archive_helpers.backup_folder, archive_helpers.offline_key


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("hourly=24", "'hourly' is not a period: use last, daily, weekly, monthly, yearly"),
        ("daily=0", "'daily=0': give a whole number of at least 1, or all"),
        ("daily=-1", "'daily=-1': give a whole number of at least 1, or all"),
        ("weekly=five", "'weekly=five': give a whole number of at least 1, or all"),
        ("monthly", "'monthly': give a whole number of at least 1, or all"),
        ("", "the rule keeps nothing: give at least one period, e.g. daily=7"),
        (" , ", "the rule keeps nothing"),
    ],
)
def test_R_6_3_a_malformed_rule_says_what_to_write(text, says):
    with pytest.raises(retention.RuleInvalid) as refused:
        retention.parse_rule(text)
    assert says in str(refused.value)


def test_R_6_3_the_default_rule_reads_as_written():
    assert retention.parse_rule(retention.DEFAULT_RULE) == {
        "daily": 7,
        "weekly": 5,
        "monthly": 12,
        "yearly": None,
    }
    assert retention.parse_rule(" last=3 , daily=all ") == {"last": 3, "daily": None}


def _daily(first: date, last: date, hour: int = 2) -> dict[str, datetime]:
    """One backup a day at ``hour``, named as the engine names them (time first)."""
    days = (last - first).days + 1
    at = [
        datetime(first.year, first.month, first.day, hour) + timedelta(days=n) for n in range(days)
    ]
    return {f"{t:%Y%m%dT%H%M%SZ}-000000": t for t in at}


def _days(kept: set[str]) -> list[str]:
    return sorted(f"{k[4:6]}-{k[6:8]}" for k in kept)


MONTH_ENDS_2025 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
YEAR_2025 = _daily(date(2025, 1, 1), date(2025, 12, 31))  # 31 Dec 2025 is a Wednesday


@pytest.mark.parametrize(
    ("rule", "days"),
    [
        ("last=3", ["12-29", "12-30", "12-31"]),
        ("daily=7", [f"12-{d}" for d in range(25, 32)]),
        # ISO weeks: 2026-W01 holds 29–31 Dec; the others end on Sundays.
        ("weekly=5", ["12-07", "12-14", "12-21", "12-28", "12-31"]),
        ("monthly=12", [f"{m:02d}-{d}" for m, d in enumerate(MONTH_ENDS_2025, start=1)]),
        ("yearly=all", ["12-31"]),
    ],
)
def test_R_6_3_each_period_keeps_the_newest_of_its_buckets(rule, days):
    assert _days(retention.kept(YEAR_2025, retention.parse_rule(rule))) == days


def test_R_6_3_a_year_of_daily_backups_under_the_default_rule_keeps_21():
    kept = retention.kept(YEAR_2025, retention.parse_rule(retention.DEFAULT_RULE))
    # 7 days, 3 more Sundays (the other two weeks end inside the 7 days), 11 more month ends.
    assert len(kept) == 7 + 3 + 11
    assert "20251130T020000Z-000000" in kept and "20251124T020000Z-000000" not in kept


def test_R_6_3_yearly_all_keeps_one_of_every_year_and_days_count_only_with_a_backup():
    three_years = _daily(date(2023, 1, 1), date(2025, 12, 31))
    assert _days(retention.kept(three_years, {"yearly": None})) == ["12-31"] * 3
    # Two missed days in the last week: daily=7 reaches back to the 7th day that has one.
    gappy = {k: t for k, t in YEAR_2025.items() if t.day not in (29, 30) or t.month != 12}
    assert _days(retention.kept(gappy, {"daily": 7})) == [
        f"12-{d}" for d in (23, 24, 25, 26, 27, 28, 31)
    ]


def test_R_6_3_the_newest_backup_is_always_kept():
    assert retention.kept(YEAR_2025, {"monthly": 1}) == {"20251231T020000Z-000000"}


@pytest.mark.django_db(transaction=True)
def test_R_6_3_pruning_never_removes_a_piece_a_kept_backup_needs(
    backup_folder, offline_key, settings
):
    settings.LPSE_BACKUP_KEEP = "last=2"
    identities = keys.load_identities(offline_key[1])
    made = []
    start = datetime(2026, 3, 2, 1, 0)
    for day in range(5):
        some_blobs(2, size=5_000)  # new blobs between backups; the old ones are reused
        with time_machine.travel(start + timedelta(days=day), tick=False):
            [run] = backup.run_backup()
        assert run.state == RunState.GOOD, run.error
        made.append(run.backup_id)
        assert manifest.backup_ids(backup_folder) == made[-2:]
        report = verify.verify(backup_folder, identities=identities)  # --read-data
        assert report.ok and report.backup_ids == made[-2:], report.problems
    # The newest names every blob ever made, the first backup's too: none was pruned away.
    assert len(manifest.load(backup_folder, made[-1]).blobs) == 10
    assert set(
        BackupRun.objects.filter(state=RunState.PRUNED).values_list("backup_id", flat=True)
    ) == set(made[:-2])
    on_medium = {
        p.relative_to(backup_folder.root).as_posix() for p in backup_folder.root.rglob("*.age")
    }
    assert on_medium == backup.referenced_keys(backup_folder) - {
        f"manifests/{i}.json" for i in made[-2:]
    }  # and nothing else is left: the pruned backups' own database pieces are gone


@pytest.mark.django_db(transaction=True)
def test_R_6_3_the_backup_just_made_is_kept_even_within_one_second(backup_folder, settings):
    settings.LPSE_BACKUP_KEEP = "last=1"
    survived = []
    with time_machine.travel(datetime(2026, 3, 2, 1, 0), tick=False):
        for _ in range(8):  # chance that the bug hides: 1 / 8! (every id larger than the last)
            [run] = backup.run_backup()
            survived.append(manifest.backup_ids(backup_folder) == [run.backup_id])
    assert all(survived)
