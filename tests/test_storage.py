"""Storage on SQLite and, when FANGPIN_TEST_POSTGRES_URL is set, PostgreSQL: the same tests."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.case_workflow import TransitionNotAllowed, transition
from bot.outbox import OutboxDispatcher
from bot.outbox_writer import OutboxWriter
from policy.case_status import CaseSource, CaseStatus
from storage.engine import create_engine, create_sessionmaker
from storage.migrate import alembic_config, upgrade_database_async
from storage.models import Case, CaseEvent, DialogSession, InboundMessage, OutboundMessage
from tests.conftest import TOKEN
from tests.wechat_requests import say, text_xml


async def test_migrations_are_idempotent(storage_url):
    await upgrade_database_async(storage_url)
    engine = create_engine(storage_url)
    async with engine.connect() as connection:
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    await engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(storage_url)).get_current_head()
    assert version == head and head >= "0003"


async def test_dedupe_key_is_unique_and_first_row_survives(sessionmaker):
    async with sessionmaker() as session:
        session.add(InboundMessage(dedupe_key="m:o:1", openid="o", msg_type="text",
                                   content="第一次", fields={"Content": "第一次"}))
        await session.commit()
    async with sessionmaker() as session:
        session.add(InboundMessage(dedupe_key="m:o:1", openid="o", msg_type="text",
                                   content="第二次"))
        with pytest.raises(IntegrityError):
            await session.commit()
    async with sessionmaker() as session:
        rows = (await session.scalars(select(InboundMessage))).all()
        assert [(r.content, r.fields) for r in rows] == [("第一次", {"Content": "第一次"})]


async def test_one_active_dialog_per_user(sessionmaker):
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)

    def dialog(status: str) -> DialogSession:
        return DialogSession(openid="o-d", kind="self_report", step="name", status=status,
                             expires_at=expires)

    async with sessionmaker() as session:
        session.add_all([dialog("cancelled"), dialog("submitted"), dialog("active")])
        await session.commit()
    async with sessionmaker() as session:
        session.add(dialog("active"))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_times_are_utc_aware_and_json_reassignment_is_saved(sessionmaker):
    at = dt.datetime(2026, 12, 3, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    async with sessionmaker() as session:
        row = DialogSession(openid="o-t", kind="self_report", step="name", expires_at=at,
                            answers={})
        session.add(row)
        await session.commit()
        row.answers = {**row.answers, "name": "王发红", "amount": 25000}
        await session.commit()
    async with sessionmaker() as session:
        stored = (await session.scalars(select(DialogSession))).one()
        assert stored.expires_at == at and stored.expires_at.tzinfo is not None
        assert stored.expires_at.utcoffset() == dt.timedelta(0)
        assert stored.answers == {"name": "王发红", "amount": 25000}


async def test_case_transitions_are_checked_and_recorded(sessionmaker):
    now = dt.datetime.now(dt.UTC)
    async with sessionmaker() as session:
        case = Case(number="2026-000001", source=CaseSource.self_report,
                    status=CaseStatus.reported, applicant_name="李云", created_at=now,
                    updated_at=now)
        session.add(case)
        await session.flush()
        transition(session, case, CaseStatus.village_verified, "o-cadre", "village_cadre",
                   "上门核实属实", now)
        with pytest.raises(TransitionNotAllowed):
            transition(session, case, CaseStatus.monitored, "o-cadre", "village_cadre", "", now)
        await session.commit()
    async with sessionmaker() as session:
        events = (await session.scalars(select(CaseEvent))).all()
        assert [(e.from_status, e.to_status, e.reason) for e in events] == [
            ("reported", "village_verified", "上门核实属实")]
        assert (await session.scalars(select(Case))).one().status == CaseStatus.village_verified


async def test_concurrent_outbox_claims_never_share_a_row(sessionmaker):
    now = dt.datetime.now(dt.UTC)
    async with sessionmaker() as session:
        writer = OutboxWriter(session, now)
        for n in range(40):
            writer.text(f"o-{n}", f"消息{n}", "test")
        await session.commit()

    def clock() -> dt.datetime:
        return now

    dispatchers = [OutboxDispatcher(sessionmaker, client=None, clock=clock) for _ in range(4)]
    claims = await asyncio.gather(*(d._claim(15) for d in dispatchers))
    claimed = [row.id for rows in claims for row in rows]
    assert len(claimed) == len(set(claimed)) == 40


async def test_duplicate_delivery_through_the_app(storage_url, make_client, settings):
    client = await make_client(settings.with_overrides(database_url=storage_url))
    xml = text_xml("o-store", "政策")
    first = await say(client, TOKEN, xml)
    again = await say(client, TOKEN, xml)
    assert first == again and "帮扶" in first
    engine = create_engine(storage_url)
    async with create_sessionmaker(engine)() as session:
        rows = (await session.scalars(select(InboundMessage))).all()
        assert [(r.openid, r.status, r.reply_kind) for r in rows] == [("o-store", "done",
                                                                       "passive")]
        outbox = (await session.scalars(select(OutboundMessage))).all()
        assert outbox == []
    await engine.dispose()


async def test_a_whole_self_report_is_stored_and_numbered(storage_url, make_client, settings):
    from tests.registry_fixtures import WIFE_ID, seed_registry
    from tests.test_self_report_dialog import Farmer, _walk_to_confirm

    await seed_registry(storage_url)
    client = await make_client(settings.with_overrides(database_url=storage_url))
    farmer = Farmer(client, "o-numbered")
    await _walk_to_confirm(farmer, WIFE_ID, True)
    reply = await farmer.says("确认")
    engine = create_engine(storage_url)
    async with create_sessionmaker(engine)() as session:
        case = (await session.scalars(select(Case))).one()
        events = (await session.scalars(select(CaseEvent))).all()
    await engine.dispose()
    assert case.number in reply and len(case.number) == len("2026-000001")
    assert "reported" in [event.action for event in events]


async def test_database_errors_do_not_carry_personal_data(sessionmaker):
    async with sessionmaker() as session:
        session.add(InboundMessage(dedupe_key="m:o:9", openid="o", msg_type="text",
                                   content="530128198205265910"))
        await session.commit()
    async with sessionmaker() as session:
        session.add(InboundMessage(dedupe_key="m:o:9", openid="o", msg_type="text",
                                   content="530128198205265910 13812345678"))
        with pytest.raises(IntegrityError) as error:
            await session.commit()
    assert "530128198205265910" not in str(error.value)
    assert "13812345678" not in str(error.value)
