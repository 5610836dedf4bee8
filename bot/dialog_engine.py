"""One engine walks any questionnaire: answer, re-ask, 返回, 取消, 重填, resume, expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from bot.answer_reader import Accepted, read_answer
from bot.context import MessageContext
from bot.dialog_store import add_turn
from bot.questionnaire import Questionnaire, Step
from bot.texts import Answer
from policy.answers import is_command
from storage.models import DialogSession, Evidence

Completion = Callable[[MessageContext, DialogSession], Awaitable[list[Answer]]]
Prefill = Callable[[MessageContext, DialogSession, Step], Awaitable[list[Answer]]]


class DialogEngine:
    def __init__(
        self, questionnaire: Questionnaire, on_complete: Completion, after_answer: Prefill
    ) -> None:
        self.questionnaire = questionnaire
        self._on_complete = on_complete
        self._after_answer = after_answer

    def _expiry(self, ctx: MessageContext) -> dt.datetime:
        return ctx.now + dt.timedelta(days=ctx.settings.dialog_expiry_days)

    async def begin(self, ctx: MessageContext, intro: str) -> list[Answer]:
        closed: list[Answer] = []
        if ctx.dialog is not None and self.is_expired(ctx):
            closed = self.expire(ctx)
            await ctx.session.flush()  # the old one is closed before the new one is stored
        if ctx.dialog is not None:
            return [Answer("self_report/resumed.j2"), *self.prompt(ctx.dialog)]
        first = self.questionnaire.first
        dialog = DialogSession(
            openid=ctx.openid, kind=self.questionnaire.kind, step=first.id, answers={},
            history=[], status="active", started_at=ctx.now, updated_at=ctx.now,
            expires_at=self._expiry(ctx),
        )
        ctx.session.add(dialog)
        await ctx.session.flush()
        ctx.dialog = dialog
        return [*closed, Answer(intro), *self.prompt(dialog)]

    def prompt(self, dialog: DialogSession) -> list[Answer]:
        step = self.questionnaire.step(dialog.step)
        context = {"step": step, "answers": dict(dialog.answers),
                   "summary": self.questionnaire.summary(dialog.answers)}
        return [Answer(step.prompt_template, context)]

    def is_expired(self, ctx: MessageContext) -> bool:
        return ctx.dialog is not None and ctx.dialog.expires_at <= ctx.now

    def expire(self, ctx: MessageContext) -> list[Answer]:
        """Close a dialog left too long, telling the farmer nothing was submitted."""
        self.close(ctx, "expired")
        ctx.dialog = None
        days = ctx.settings.dialog_expiry_days
        period = f"{round(days)}天" if days >= 1 else f"{max(1, round(days * 24))}小时"
        return [Answer("self_report/expired.j2", {"period": period})]

    def close(self, ctx: MessageContext, status: str) -> None:
        assert ctx.dialog is not None
        ctx.dialog.status = status
        ctx.dialog.updated_at = ctx.now

    async def advance(self, ctx: MessageContext) -> list[Answer]:
        dialog = ctx.dialog
        assert dialog is not None
        incoming = ctx.incoming
        add_turn(ctx.turns, dialog, "in", incoming.spoken_or_typed_text, ctx.now,
                 incoming.media_id)
        dialog.updated_at, dialog.expires_at = ctx.now, self._expiry(ctx)
        if incoming.msg_type in {"image", "voice", "video", "shortvideo"} and not (
            incoming.spoken_or_typed_text
        ):
            return self._keep_media(ctx, dialog)
        text = incoming.spoken_or_typed_text
        if not text.strip():
            return [Answer("self_report/need_text.j2"), *self.prompt(dialog)]
        command = is_command(text)
        if command:
            return await self._command(ctx, dialog, command)
        return await self._answer(ctx, dialog, text)

    def _keep_media(self, ctx: MessageContext, dialog: DialogSession) -> list[Answer]:
        incoming = ctx.incoming
        ctx.session.add(
            Evidence(
                session_id=dialog.id, kind=incoming.msg_type, media_id=incoming.media_id,
                url=incoming.pic_url, media_format=incoming.media_format,
                recognition=incoming.recognition or "", at=ctx.now,
            )
        )
        template = "self_report/voice_not_recognised.j2" if incoming.msg_type == "voice" else (
            "self_report/evidence_received.j2"
        )
        on_evidence_step = dialog.step == "evidence"
        answers = [Answer(template, {"on_evidence_step": on_evidence_step,
                                     "kind": incoming.msg_type})]
        return answers if on_evidence_step else [*answers, *self.prompt(dialog)]

    async def _command(
        self, ctx: MessageContext, dialog: DialogSession, command: str
    ) -> list[Answer]:
        if command == "cancel":
            self.close(ctx, "cancelled")
            return [Answer("self_report/cancelled.j2")]
        if command == "restart":
            dialog.answers, dialog.history = {}, []
            dialog.step = self.questionnaire.first.id
            return [Answer("self_report/restarted.j2"), *self.prompt(dialog)]
        history = list(dialog.history)
        if not history:
            return [Answer("self_report/at_first_step.j2"), *self.prompt(dialog)]
        previous = history.pop()
        answers = dict(dialog.answers)
        for step_id in previous.get("filled", [previous["step"]]):
            answers.pop(step_id, None)
        dialog.step, dialog.history, dialog.answers = previous["step"], history, answers
        return [Answer("self_report/went_back.j2"), *self.prompt(dialog)]

    async def _answer(self, ctx: MessageContext, dialog: DialogSession, text: str) -> list[Answer]:
        step = self.questionnaire.step(dialog.step)
        reading = read_answer(step, text, ctx.today, dialog.answers)
        if not isinstance(reading, Accepted):
            return [Answer(reading.template, reading.context), *self.prompt(dialog)]
        if step.kind == "confirm":
            return await self._on_complete(ctx, dialog)
        before = set(dialog.answers)
        dialog.answers = {**dialog.answers, step.id: reading.value}
        if reading.said:
            dialog.answers = {**dialog.answers, f"{step.id}_said": reading.said}
        notes = [*reading.notes, *await self._after_answer(ctx, dialog, step)]
        filled = sorted(set(dialog.answers) - before)
        dialog.history = [*dialog.history, {"step": step.id, "filled": filled}]
        following = self.questionnaire.after(step.id, dialog.answers)
        assert following is not None, "the last step of a questionnaire is its confirmation"
        dialog.step = following.id
        return [*notes, *self.prompt(dialog)]
