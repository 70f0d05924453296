"""The audit page across patients: writes apart from reads, filters, keyset pages, and the hash chain's status."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update

from sijpath.store import audit
from sijpath.store.database import transaction
from sijpath.store.tables import audit_log
from sijpath.web.services import App

SignIn = Callable[[str], TestClient]


def _actions(html: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]+)">', html)


def _visit(sign_in: SignIn) -> None:
    clinician = sign_in("clinician")
    clinician.get("/patients/new-referral")
    clinician.get("/patients/fusion-candidate")


def test_writes_are_shown_by_default_and_page_views_only_when_asked_for(sign_in: SignIn) -> None:
    _visit(sign_in)
    auditor = sign_in("auditor")

    writes = _actions(auditor.get("/audit").text)
    reads = _actions(auditor.get("/audit?kind=reads").text)

    assert writes  # the seeded imports
    assert not any(a.startswith(("view-", "list-")) for a in writes)
    assert "view-patient" in reads
    assert all(a.startswith(("view-", "list-", "read-", "download-")) or a in ("assess", "compare") for a in reads)


def test_the_filters_narrow_to_one_user_patient_and_days(sign_in: SignIn) -> None:
    _visit(sign_in)
    auditor = sign_in("auditor")

    mine = auditor.get("/audit?kind=reads&user=clinician&patient=fusion-candidate").text
    later = auditor.get("/audit?kind=all&since=2026-11-02").text
    today = auditor.get("/audit?kind=all&since=2026-11-01&until=2026-11-01").text

    assert _actions(mine) == ["view-patient"]
    assert _actions(later) == []  # the clock stands at 2026-11-01
    assert "view-patient" in _actions(today)


def test_older_rows_follow_on_a_next_page_without_repeats(sign_in: SignIn, services: App) -> None:
    with transaction(services.engine) as connection:
        for n in range(130):
            audit.record(
                connection, actor="bot", action="import", patient_id=f"p{n}", detail="", remote="-", at=services.now()
            )
    auditor = sign_in("auditor")

    first = auditor.get("/audit?user=bot").text
    link = re.search(r'href="(/audit\?[^"]+)">Older rows', first)
    assert link is not None
    second = auditor.get(link.group(1).replace("&amp;", "&")).text

    seqs = [re.findall(r'<tr data-action="import"><td>(\d+)</td>', page) for page in (first, second)]
    assert len(seqs[0]) == 100
    assert len(seqs[1]) == 30
    assert not set(seqs[0]) & set(seqs[1])


def test_staff_and_clinicians_may_not_see_the_whole_trail(sign_in: SignIn) -> None:
    assert sign_in("staff").get("/audit").status_code == 403
    assert sign_in("clinician").get("/audit/verify").status_code == 403


def test_an_intact_chain_is_reported_intact_with_the_rows_checked(sign_in: SignIn) -> None:
    page = sign_in("auditor").get("/audit/verify").text

    assert 'data-chain="intact"' in page
    assert "rows verified" in page


def test_an_altered_row_is_reported_as_a_broken_chain_naming_the_row(sign_in: SignIn, services: App) -> None:
    with transaction(services.engine) as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 2).values(actor="someone-else"))

    page = sign_in("admin").get("/audit/verify").text

    assert 'data-chain="broken"' in page
    assert "row 2: content does not match its hash (altered?)" in page


def test_verifying_against_a_head_that_was_rewritten_reports_it(sign_in: SignIn, services: App) -> None:
    head = audit.head(services.engine)
    assert head is not None

    page = sign_in("auditor").get(f"/audit/verify?expect={head[0]}:{'f' * 64}").text

    assert 'data-chain="broken"' in page
    assert "not the row recorded as the head earlier" in page


def test_a_bad_date_or_kind_is_a_clear_error_naming_the_field(sign_in: SignIn) -> None:
    auditor = sign_in("auditor")
    assert "since &#39;yesterday&#39; is not a date" in auditor.get("/audit?since=yesterday").text
    assert "no kind `everything`" in auditor.get("/audit?kind=everything").text
    assert auditor.get("/audit/verify?expect=12").status_code == 400
