"""Questionnaires are data: steps with an answer kind, choices and a summary label."""

from __future__ import annotations

from dataclasses import dataclass

from policy.answers import Choice


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    kind: str
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    minimum: int | None = None
    maximum: int | None = None
    allow_unknown: bool = False
    not_more_than: str | None = None
    aliases: tuple[str, ...] = ()  # other words for the label, to name the item to change
    depends_on: tuple[str, ...] = ()  # steps whose change re-runs this answer's follow-up

    def show(self, value: object, said: object = None) -> str:
        if value is None:
            return "不清楚"
        if self.kind == "date" and isinstance(value, str):
            month = f"{value[:4]}年{int(value[5:7])}月"
            return f"{said}（{month}）" if said and said != value else month
        if self.kind == "choice":
            return next((c.label for c in self.choices if c.key == value), str(value))
        if self.kind == "amount" and isinstance(value, int):
            return f"{value:,}元"
        return "无" if value == "" else str(value)

    @property
    def prompt_template(self) -> str:
        return f"self_report/ask_{self.id}.j2"


@dataclass(frozen=True)
class Questionnaire:
    kind: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def first(self) -> Step:
        return self.steps[0]

    def next_unanswered(self, answered: dict[str, object]) -> Step | None:
        """The first step not already answered (a registry match pre-fills some; a changed
        answer may leave others to ask again). The confirmation comes last."""
        return next((step for step in self.steps if step.id not in answered), None)

    def shown_steps(self, answers: dict[str, object]) -> list[Step]:
        """The answered steps the confirmation lists, in order: the farmer may change these."""
        return [step for step in self.steps
                if step.kind not in {"confirm", "evidence"} and step.id in answers]

    def summary(self, answers: dict[str, object]) -> list[tuple[str, str]]:
        """(label, shown value) pairs of the answered steps, for the confirmation."""
        return [(step.label, step.show(answers[step.id], answers.get(f"{step.id}_said")))
                for step in self.shown_steps(answers)]
