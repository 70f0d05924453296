"""The decision as an ordered table: conditions on outcomes and facts → a step, its reason and its sources."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from sijpath.engine.conditions import Condition, compiled
from sijpath.engine.results import Outcome, Status, Text
from sijpath.engine.rule import Criterion, Outcomes

if TYPE_CHECKING:
    from sijpath.engine.ruleset import RuleSet

__all__ = [
    "Action",
    "Branch",
    "Decision",
    "DecisionTable",
    "Procedure",
    "Step",
]

U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class Procedure:
    """A billable procedure: its CPT/HCPCS code and the one description sijpath uses for it."""

    code: str
    description: str
    kind: str


@dataclass(frozen=True, eq=False)
class Step:
    """A next step or an action alongside it: a stable code, a title phrased as a suggestion to consider, the same
    as a plain noun phrase (`name`), and the procedure it leads to (None for care, information and referral steps).
    Procedure steps are held back by their gates."""

    code: str
    title: str
    name: str
    procedure: Procedure | None = None
    alongside_only: bool = False

    def __repr__(self) -> str:
        return f"Step({self.code})"


class Action:
    """A step suggested for one unit (`laterality` names the joint), with the reason in the patient's own facts.

    The reason may be given as a function of the (immutable) facts: it is written on first read and kept.
    """

    __slots__ = ("_rationale", "cites", "laterality", "step")

    def __init__(self, step: Step, rationale: Text, cites: tuple[str, ...] = (), laterality: str | None = None) -> None:
        self.step = step
        self._rationale = rationale
        self.cites = cites
        self.laterality = laterality

    @property
    def rationale(self) -> str:
        rationale = self._rationale
        if not isinstance(rationale, str):
            rationale = self._rationale = rationale()
        return rationale

    def __repr__(self) -> str:
        return f"Action({self.step.code}, {self.laterality})"

    @property
    def code(self) -> str:
        return self.step.code

    @property
    def title(self) -> str:
        return self.step.title

    @property
    def procedure(self) -> str | None:
        return self.step.procedure.code if self.step.procedure else None


class Decision(NamedTuple):
    """Where the unit stands, the next step, what else to do alongside it, and the table row that chose it."""

    stage: str
    next_step: Action
    other_actions: tuple[Action, ...] = ()
    row: int = 0
    held_by: tuple[Criterion[Any], ...] = ()


Because = Callable[[U, Outcomes], str]
Alongside = Callable[[U, Outcomes], tuple[Action, ...]]


@dataclass(frozen=True, eq=False)
class Branch(Generic[U]):
    """One row of the table: when `when` holds (and no row above did), suggest `step` at `stage`.

    `because` writes the reason from the patient's facts; `explains` is the same reason in general words for the
    docs. A procedure step is held back when its gates are not all as needed; it then goes to `held_stage`.
    """

    when: Condition[U]
    step: Step
    stage: str
    because: Because[U]
    explains: str
    cites: tuple[str, ...]
    alongside: Alongside[U] | None = None
    held_stage: str | None = None
    held_alongside: Alongside[U] | None = None


@dataclass(frozen=True, eq=False)
class DecisionTable(Generic[U]):
    """The ordered rows of a pathway's decision; the first row that holds decides.

    A procedure step is checked against its gates in the rule set (every criterion whose `required_for` names the
    step, plus the rule set's own): any not as needed holds it back as `held_not_met`, any unknown as
    `held_unknown`. A step the rule set does not address is held as `held_not_met` too: its procedure is marked
    `not-addressed` in the rule set's coverage, or the rule set leaves out one of the step's `minimum_gates` (a
    rule set without any fusion criteria does not address fusion, so it never suggests it on fewer gates).
    """

    rows: tuple[Branch[U], ...]
    held_not_met: Step
    held_unknown: Step
    minimum_gates: Mapping[Step, tuple[Criterion[Any], ...]] = field(default_factory=dict)

    @functools.cached_property
    def first_row(self) -> Callable[[U, Outcomes], int]:
        """The number (from 1) of the first row whose condition holds, 0 for none: the rows' conditions compiled
        into one function once per table (see `conditions.compiled`)."""
        return compiled([row.when for row in self.rows])

    def decide(self, facts: U, outcomes: Outcomes, ruleset: RuleSet, laterality: str) -> Decision:
        number = self.first_row(facts, outcomes)
        if not number:
            raise AssertionError("the decision table has no row that holds; its last row must always hold")
        row = self.rows[number - 1]
        others = tuple(_sided(a, laterality) for a in row.alongside(facts, outcomes)) if row.alongside else ()
        action = Action(row.step, functools.partial(row.because, facts, outcomes), row.cites, laterality)
        if row.step.procedure is None:
            return Decision(row.stage, action, others, number)
        decision = self._gated(row, action, others, number, outcomes, ruleset, laterality)
        if decision.next_step.step is not row.step and row.held_alongside is not None:
            held = tuple(_sided(a, laterality) for a in row.held_alongside(facts, outcomes))
            decision = Decision(decision.stage, decision.next_step, held, decision.row, decision.held_by)
        return decision

    def _gated(
        self,
        row: Branch[U],
        action: Action,
        others: tuple[Action, ...],
        number: int,
        outcomes: Outcomes,
        ruleset: RuleSet,
        laterality: str,
    ) -> Decision:
        step = row.step
        held_stage = row.held_stage or row.stage
        assert step.procedure is not None
        statement = ruleset.coverage.get(step.procedure.code)
        absent = [c for c in self.minimum_gates.get(step, ()) if c not in ruleset.criteria]
        if (statement is not None and statement.status == "not-addressed") or absent:
            note = f" ({statement.note})" if statement is not None and statement.note else ""
            return Decision(
                held_stage,
                Action(
                    self.held_not_met,
                    lambda: (
                        f"{_upper(step.name)} would come next for this joint, but {ruleset.title} does not "
                        f"address it{note}: assess it under a rule set that does. Meanwhile: {action.rationale}"
                    ),
                    (*action.cites, *(statement.cites if statement is not None else ())),
                    laterality,
                ),
                others,
                number,
            )
        gates = ruleset.gates_for(step)
        failing = [(c, o) for c, needed in gates if (o := outcomes.get(c)) is not None and _against(o, needed)]
        if failing:
            return Decision(
                held_stage,
                Action(
                    self.held_not_met,
                    lambda: _held_text(step, ruleset, failing),
                    action.cites,
                    laterality,
                ),
                others,
                number,
                tuple(c for c, _ in failing),
            )
        open_gates = [(c, o) for c, _ in gates if (o := outcomes.get(c)) is not None and o.status == "unknown"]
        if open_gates:
            missing = "; ".join(dict.fromkeys(item for _, o in open_gates for item in o.missing))
            return Decision(
                row.stage,
                Action(
                    self.held_unknown,
                    lambda: (
                        f"{_upper(step.name)} may come next for this joint; the record does not yet show: {missing}."
                    ),
                    action.cites,
                    laterality,
                ),
                others,
                number,
                tuple(c for c, _ in open_gates),
            )
        return Decision(row.stage, action, others, number)

    def describe(self) -> Sequence[tuple[int, str, Step, str]]:
        """(row, condition, step, reason) for the generated docs, in order."""
        return [(n, row.when.describe(), row.step, row.explains) for n, row in enumerate(self.rows, start=1)]


def _against(outcome: Outcome, needed: Status) -> bool:
    """A gate stands in the way: the criterion is known, and not what the step needs."""
    return outcome.status != "unknown" and outcome.status != needed


def _held_text(step: Step, ruleset: RuleSet, failing: Sequence[tuple[Criterion[Any], Outcome]]) -> str:
    """Why a step is held: an exclusion excludes it while it lasts; any other gate means not yet."""
    excluded = "; ".join(o.summary for c, o in failing if c.exclusion)
    waits = "; ".join(_unmet(c, o) for c, o in failing if not c.exclusion)
    text = f"{_upper(step.name)} would come next for this joint, but "
    if excluded:
        text += f"it is excluded under {ruleset.title} while this lasts: {excluded}"
        return text + (f"; besides, not yet: {waits}." if waits else ".")
    return text + f"not yet under {ruleset.title}: {waits}."


def _unmet(criterion: Criterion[Any], outcome: Outcome) -> str:
    """What the record shows against a gate, then what it still needs (`remedy`), in plain words."""
    remedy = criterion.remedy
    if remedy.startswith("none"):  # nothing to record would change it (a limit reached): what the record shows
        return outcome.summary
    return f"the record shows {outcome.summary}, and it first needs {remedy}"


def _sided(action: Action, laterality: str) -> Action:
    if action.laterality is None:
        action.laterality = laterality  # an action made for this unit by the pathway: it is this unit's
    return action


def _upper(name: str) -> str:
    return name[:1].upper() + name[1:]
