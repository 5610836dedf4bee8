"""One engine walks any questionnaire: answer, re-ask, 返回, 取消, 重填, change one item of the
summary ("改3"), resume, expiry.

`dialog.history` lists the answers in the order given, each with the answer keys it filled in
(a registry match fills several), so that 返回 can take the last one back. While the farmer
changes one item from the summary (until the summary is shown again: a changed ID may ask the
village again, a lower expense the reimbursement), the last entry is an edit mark
``{"step": <the confirmation>, "filled": [], "editing": <step>, "before": {answers, history}}``:
返回 restores the answers as they were and shows the summary, nothing changed; "改N" switches to
another item the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from bot.answer_reader import Accepted, read_answer
from bot.context import MessageContext
from bot.dialog_store import add_turn
from bot.questionnaire import Questionnaire, Step
from bot.texts import Answer
from policy.answers import EditRequest, is_command, parse_edit
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
        if ctx.dialog is not None:  # "上次" only when something was answered before
            started = bool(ctx.dialog.history)
            return [Answer("self_report/resumed.j2", {"started": started}),
                    *self.prompt(ctx.dialog)]
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
        if _edit_mark(dialog) is not None:
            _undo_edit(dialog)
            return [Answer("self_report/edit_kept.j2"), *self.prompt(dialog)]
        previous = history.pop()
        answers = dict(dialog.answers)
        for step_id in previous.get("filled", [previous["step"]]):
            answers.pop(step_id, None)
        dialog.step, dialog.history, dialog.answers = previous["step"], history, answers
        return [Answer("self_report/went_back.j2"), *self.prompt(dialog)]

    async def _answer(self, ctx: MessageContext, dialog: DialogSession, text: str) -> list[Answer]:
        step = self.questionnaire.step(dialog.step)
        mark = _edit_mark(dialog)
        if step.kind == "confirm" or mark is not None:
            summary = mark["before"]["answers"] if mark is not None else dialog.answers
            shown = self.questionnaire.shown_steps(summary)
            edit = parse_edit(text, [(item.label, *item.aliases) for item in shown],
                              prefixed_only=step.kind != "confirm")
            if edit is not None and (step.kind == "confirm" or edit.item is not None):
                if mark is not None:
                    _undo_edit(dialog)  # "改5" while changing item 3: item 3 as it was
                asked = self._start_edit(dialog, edit)
                if edit.item is not None and edit.answer:  # "改电话13600000001": answered too
                    return await self._answer(ctx, dialog, edit.answer)
                return asked
        reading = read_answer(step, text, ctx.today, dialog.answers)
        if not isinstance(reading, Accepted):
            return [Answer(reading.template, reading.context), *self.prompt(dialog)]
        if step.kind == "confirm":
            return await self._on_complete(ctx, dialog)
        if mark is not None:
            dialog.history = dialog.history[:-1]  # off while the answer is recorded
        notes = [*reading.notes,
                 *await self._record(ctx, dialog, step, reading.value, reading.said),
                 *await self._follow_up(ctx, dialog, step)]
        following = self.questionnaire.next_unanswered(dialog.answers)
        assert following is not None, "the last step of a questionnaire is its confirmation"
        dialog.step = following.id
        if mark is not None and following.kind != "confirm":
            dialog.history = [*dialog.history, mark]  # the change asks more before the summary
        return [*notes, *self.prompt(dialog)]

    def _start_edit(self, dialog: DialogSession, edit: EditRequest) -> list[Answer]:
        """"改3" at the summary: ask that item again; 返回 comes back here unchanged."""
        shown = self.questionnaire.shown_steps(dialog.answers)
        if edit.item is None:
            return [Answer("self_report/edit_which.j2", {"count": len(shown)}),
                    *self.prompt(dialog)]
        target = shown[edit.item - 1]
        before = {"answers": dict(dialog.answers), "history": list(dialog.history)}
        dialog.history = [*dialog.history, {"step": dialog.step, "filled": [],
                                            "editing": target.id, "before": before}]
        dialog.step = target.id
        return [Answer("self_report/edit_item.j2", {"number": edit.item, "label": target.label}),
                *self.prompt(dialog)]

    async def _record(
        self, ctx: MessageContext, dialog: DialogSession, step: Step, value: object,
        said: str | None, keep_place: bool = False,
    ) -> list[Answer]:
        """Store an answer, replacing an earlier one to the same step together with everything
        that earlier answer filled in (a registry match), then run the step's follow-up."""
        answers, history = dict(dialog.answers), list(dialog.history)
        place = _forget(answers, history, step.id)
        # The follow-up sees what it saw when the step was first answered: the later steps'
        # answers are set aside, and whatever it fills in replaces them.
        ids = [each.id for each in self.questionnaire.steps]
        later = {key for later_id in ids[ids.index(step.id) + 1 :]
                 for key in (later_id, f"{later_id}_said")}
        aside = {key: kept for key, kept in answers.items() if key in later}
        before = {key: kept for key, kept in answers.items() if key not in later}
        dialog.answers = {**before, step.id: value, **({f"{step.id}_said": said} if said else {})}
        notes = await self._after_answer(ctx, dialog, step)
        filled = {key for key, kept in dialog.answers.items()
                  if key not in before or before[key] != kept}
        dialog.answers = {**aside, **dialog.answers}
        # Steps this answer now fills in (a registry match) are no longer answered on their own.
        taken = [entry for entry in history if entry["step"] in filled]
        if place is not None:
            place -= sum(1 for entry in history[:place] if entry["step"] in filled)
        history = [entry for entry in history if entry["step"] not in filled]
        filled |= {key for entry in taken for key in entry.get("filled", [entry["step"]])}
        entry = {"step": step.id, "filled": sorted(filled)}
        history.insert(place if keep_place and place is not None else len(history), entry)
        dialog.history = history
        return notes

    async def _follow_up(
        self, ctx: MessageContext, dialog: DialogSession, step: Step
    ) -> list[Answer]:
        """Answers given earlier that a changed answer affects: a step that depends on it has its
        follow-up run again; an amount now over its ceiling is asked again."""
        notes: list[Answer] = []
        for other in self.questionnaire.steps:
            if step.id in other.depends_on and other.id in dialog.answers:
                before = dict(dialog.answers)
                rechecked = await self._record(ctx, dialog, other, dialog.answers[other.id],
                                               dialog.answers.get(f"{other.id}_said"),
                                               keep_place=True)
                notes += rechecked if dialog.answers != before else []
            value, ceiling = dialog.answers.get(other.id), dialog.answers.get(step.id)
            if (other.not_more_than == step.id and isinstance(value, int)
                    and isinstance(ceiling, int) and value > ceiling):
                answers, history = dict(dialog.answers), list(dialog.history)
                _forget(answers, history, other.id)
                dialog.answers, dialog.history = answers, history
                notes.append(Answer("self_report/edit_asks_again.j2", {"label": other.label}))
        return notes


def _edit_mark(dialog: DialogSession) -> dict | None:
    """The mark of a change under way (the last history entry), or None."""
    last = dialog.history[-1] if dialog.history else None
    return last if last is not None and last.get("editing") and "before" in last else None


def _undo_edit(dialog: DialogSession) -> None:
    """Back to the summary as it was before the change began."""
    mark = _edit_mark(dialog)
    assert mark is not None
    dialog.answers = dict(mark["before"]["answers"])
    dialog.history = list(mark["before"]["history"])
    dialog.step = mark["step"]


def _forget(answers: dict, history: list[dict], step_id: str) -> int | None:
    """Take back the answer to one step, in place: its own history entry goes with all it filled
    in; an entry that filled it in (a registry match) keeps the rest. The own entry's place."""
    place = None
    for index, entry in enumerate(list(history)):
        filled = entry.get("filled", [entry["step"]])
        if entry["step"] == step_id and place is None:
            place = index
            for key in filled:
                answers.pop(key, None)
        elif step_id in filled:
            kept = [key for key in filled if key not in {step_id, f"{step_id}_said"}]
            history[index] = {**entry, "filled": kept}
    if place is not None:
        del history[place]
    answers.pop(step_id, None)
    answers.pop(f"{step_id}_said", None)
    return place
