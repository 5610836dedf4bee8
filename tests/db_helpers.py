"""Reading what the service stored, through a separate engine on the same database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.engine import create_engine, create_sessionmaker


async def rows_of(database_url: str, model: Any, *where: Any) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            query = select(model).where(*where).order_by(model.id)
            return list((await session.scalars(query)).all())
    finally:
        await engine.dispose()
