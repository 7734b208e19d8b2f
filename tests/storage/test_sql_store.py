"""The SQL conversation store, the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import StatementError

from bot.core.draft import ConsentRecord, DraftProposal, FaqAsked, StoredDraft, Submission
from bot.core.messages import UserKey
from bot.core.state import ConversationState
from storage.migrate import current_revisions, head_revisions, upgrade
from storage.sql_store import SqlStore, create_engine_for
from storage.tables import metadata

JST = timezone(timedelta(hours=9))
ALICE = UserKey(channel="line", user_id="U-alice")
BOB = UserKey(channel="telegram", user_id="42")


class Boom(Exception):
    pass


def make_submission(user: UserKey = ALICE, submitted_at: datetime | None = None) -> Submission:
    submitted_at = submitted_at or datetime(2026, 4, 1, 10, 30, tzinfo=JST)
    return Submission(
        user=user,
        draft=DraftProposal(
            org_name="まちづくりNPO",
            org_type="npo",
            contact_name="山田花子",
            email="hanako@example.org",
            proposal_type="theme",
            theme="子育て支援",
            title="公園で子ども食堂",
            problem="放課後の居場所が足りない",
            solution="週1回の食堂を開く",
            roles_org="運営",
            roles_city="場所の提供",
            expected_results="参加者月100人",
            cost="年50万円",
            funding_wish="yes",
        ),
        criteria={"public_benefit": "yes", "feasibility": "undecided"},
        consent=ConsentRecord(notice_version="2026-01", agreed_at=submitted_at - timedelta(minutes=20)),
        faq_log=[FaqAsked(question="締め切りは？", faq_id="deadline", asked_at=submitted_at - timedelta(minutes=5))],
        submitted_at=submitted_at,
    )


async def submit(store: SqlStore, submission: Submission) -> str:
    async with store.turn(submission.user) as turn:
        return await turn.submit(submission)


@pytest.fixture
async def other_store(store: SqlStore, database_url: str) -> AsyncIterator[SqlStore]:
    """A second engine on the same database: another worker process, as far as the database can tell."""
    second = SqlStore(create_engine_for(database_url))
    yield second
    await second.close()


class TestSqlStore:
    async def test_a_new_user_gets_a_fresh_state(self, store: SqlStore) -> None:
        async with store.turn(ALICE) as turn:
            assert turn.state == ConversationState()

    async def test_state_saved_in_one_turn_is_loaded_in_the_next(self, store: SqlStore) -> None:
        consent = ConsentRecord(notice_version="2026-01", agreed_at=datetime(2026, 4, 1, 9, tzinfo=JST))
        async with store.turn(ALICE) as turn:
            turn.state.step = "proposal.title"
            turn.state.values["org_name"] = "まちづくりNPO"
            turn.state.history.append("proposal.org_name")
            turn.state.consent = consent

        async with store.turn(ALICE) as turn:
            assert turn.state.step == "proposal.title"
            assert turn.state.values == {"org_name": "まちづくりNPO"}
            assert turn.state.history == ["proposal.org_name"]
            assert turn.state.consent == consent
        async with store.turn(BOB) as turn:
            assert turn.state == ConversationState()

    async def test_state_survives_a_restart(self, store: SqlStore, database_url: str) -> None:
        async with store.turn(ALICE) as turn:
            turn.state.step = "proposal.problem"
        await store.close()

        restarted = SqlStore(create_engine_for(database_url))
        try:
            async with restarted.turn(ALICE) as turn:
                assert turn.state.step == "proposal.problem"
        finally:
            await restarted.close()

    async def test_an_exception_rolls_back_the_state_and_the_submission(self, store: SqlStore) -> None:
        async with store.turn(ALICE) as turn:
            turn.state.step = "proposal.confirm"

        with pytest.raises(Boom):
            async with store.turn(ALICE) as turn:
                turn.state.step = "proposal.done"
                assert await turn.submit(make_submission()) == "KY-2026-0001"
                raise Boom

        async with store.turn(ALICE) as turn:
            assert turn.state.step == "proposal.confirm"
        assert await store.list_drafts() == []
        assert await submit(store, make_submission()) == "KY-2026-0001"

    async def test_a_naive_timestamp_is_refused(self, store: SqlStore) -> None:
        with pytest.raises(StatementError, match="timezone-aware"):
            await submit(store, make_submission(submitted_at=datetime(2026, 4, 1, 10, 30)))
        assert await store.list_drafts() == []

    async def test_references_are_sequential_per_year(self, store: SqlStore) -> None:
        assert await submit(store, make_submission(ALICE)) == "KY-2026-0001"
        assert await submit(store, make_submission(BOB)) == "KY-2026-0002"
        assert await submit(store, make_submission(ALICE, datetime(2027, 1, 4, 9, tzinfo=JST))) == "KY-2027-0001"
        assert await submit(store, make_submission(BOB)) == "KY-2026-0003"

    async def test_concurrent_submissions_get_distinct_sequential_references(
        self, store: SqlStore, other_store: SqlStore
    ) -> None:
        users = [UserKey(channel="web", user_id=f"visitor-{i}") for i in range(20)]
        references = await asyncio.gather(
            *(submit((store, other_store)[i % 2], make_submission(user)) for i, user in enumerate(users))
        )
        assert sorted(references) == [f"KY-2026-{n:04d}" for n in range(1, 21)]
        assert {draft.user for draft in await store.list_drafts()} == set(users)

    async def test_concurrent_turns_of_one_user_are_serialised(self, store: SqlStore, other_store: SqlStore) -> None:
        async def append(worker: SqlStore, entry: int) -> None:
            async with worker.turn(ALICE) as turn:
                log = turn.state.values.get("log", "")
                await asyncio.sleep(0.01)  # give the other turns every chance to interleave
                turn.state.values["log"] = f"{log}{entry};"

        await asyncio.gather(*(append((store, other_store)[i % 2], i) for i in range(10)))

        async with store.turn(ALICE) as turn:
            entries = turn.state.values["log"].rstrip(";").split(";")
        assert sorted(map(int, entries)) == list(range(10))

    async def test_get_draft_returns_the_submission_with_its_consent(self, store: SqlStore) -> None:
        submission = make_submission()
        reference = await submit(store, submission)

        stored = await store.get_draft(reference)

        assert stored == StoredDraft(**dict(submission), reference=reference, status="受付")
        assert stored.submitted_at.tzinfo is not None
        assert await store.get_draft("KY-2026-9999") is None

    async def test_list_drafts_is_newest_first(self, store: SqlStore) -> None:
        older = make_submission(ALICE, datetime(2026, 4, 1, 9, tzinfo=JST))
        newer = make_submission(BOB, datetime(2026, 4, 2, 9, tzinfo=JST))
        await submit(store, newer)
        await submit(store, older)

        drafts = await store.list_drafts()

        assert [(d.reference, d.user) for d in drafts] == [("KY-2026-0001", BOB), ("KY-2026-0002", ALICE)]
        assert drafts[1].consent == older.consent
        assert drafts[1].criteria == older.criteria
        assert drafts[1].faq_log == older.faq_log

    async def test_ping(self, store: SqlStore) -> None:
        await store.ping()


class TestQuestionLog:
    async def test_questions_are_counted_by_outcome_without_the_user(self, store: SqlStore) -> None:
        asked_at = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        questions = [
            ("alice", "ごみの出し方は？", None, "unanswered", 0),
            ("bob", "ごみの出し方は？", None, "unanswered", 5),
            ("carol", "補助金は？", None, "suggested", 1),
            ("dave", "共創とは？", "kyoso_meaning", "answered", 2),
        ]
        for user_id, question, faq_id, outcome, minutes in questions:
            async with store.turn(UserKey(channel="line", user_id=user_id)) as turn:
                await turn.record_question(
                    FaqAsked(question=question, faq_id=faq_id, outcome=outcome, asked_at=asked_at + timedelta(minutes=minutes))
                )

        counts = await store.question_counts(["unanswered", "suggested"])

        assert [(c.question, c.count, c.last_asked) for c in counts] == [
            ("ごみの出し方は？", 2, asked_at + timedelta(minutes=5)),
            ("補助金は？", 1, asked_at + timedelta(minutes=1)),
        ]
        assert [c.question for c in await store.question_counts(["answered"])] == ["共創とは？"]

    async def test_a_failed_turn_keeps_no_question(self, store: SqlStore) -> None:
        with pytest.raises(RuntimeError):
            async with store.turn(UserKey(channel="line", user_id="erin")) as turn:
                await turn.record_question(
                    FaqAsked(question="消えるはず", faq_id=None, outcome="unanswered", asked_at=datetime.now(UTC))
                )
                raise RuntimeError("the turn failed")
        assert await store.question_counts(["unanswered"]) == []


class TestMigrations:
    async def test_upgrade_twice_is_a_no_op_and_leaves_the_head(self, database_url: str) -> None:
        assert await current_revisions(database_url) == set()

        await upgrade(database_url)
        await upgrade(database_url)

        assert await current_revisions(database_url) == head_revisions()

    async def test_workers_starting_together_upgrade_once(self, database_url: str) -> None:
        await asyncio.gather(upgrade(database_url), upgrade(database_url))
        assert await current_revisions(database_url) == head_revisions()

    async def test_migrations_create_exactly_the_declared_tables(self, database_url: str) -> None:
        def differences(connection: Connection) -> Any:
            return compare_metadata(MigrationContext.configure(connection), metadata)

        await upgrade(database_url)
        engine = create_engine_for(database_url)
        try:
            async with engine.connect() as connection:
                assert await connection.run_sync(differences) == []
        finally:
            await engine.dispose()
