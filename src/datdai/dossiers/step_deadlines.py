"""Per-step deadlines of a dossier (issue 5 item 3), from the catalog's step limits.

A service's steps (``catalog.toml``) carry working-day limits that add up to at most the service
limit. The planned due date of step k is the received day plus the *cumulative* limit of steps
1…k, rounded up to whole working days, with the dossier's pauses not counted — so the last step
is due on the dossier's own due date when the limits add up to it. In a mountainous, island or
disadvantaged commune the limits are scaled by the longer service limit (e.g. 4 → 14 days).
A step that stops the clock (the applicant paying taxes) has no due date.

The current step of an open dossier follows its state and lifecycle step:

* DA_NOP → ``TIEP_NHAN``; DA_TIEP_NHAN → the step after ``TIEP_NHAN``;
* DANG_XU_LY → its lifecycle step when the catalog has it (``KIEM_TRA_DAN_CU``,
  ``KIEM_TRA_THUC_DIA``, ``CHUYEN_THUE``), else the next catalog step;
* CHO_NOP_THUE → ``NOP_NGHIA_VU``; CHO_PHE_DUYET → ``PHE_DUYET``;
  DA_PHE_DUYET → ``TRA_KET_QUA`` (the land data is updated at approval);
* a supplement request pauses the dossier: no current step.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection

from datdai.dossiers import lifecycle as lc
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.catalog import ServiceDef, service_limit
from datdai.dossiers.dossiers import pauses
from datdai.dossiers.lifecycle import State
from datdai.dossiers.registry import get_service


@dataclass(frozen=True)
class StepDue:
    code: str
    name: str
    role: str
    limit_days: float  # as scaled for the dossier
    due: dt.date | None  # None: the clock is stopped during this step


@dataclass(frozen=True)
class StepStatus:
    current: StepDue | None
    schedule: tuple[StepDue, ...]
    overdue: bool  # the current step is past its due date today
    due_within_one_day: bool  # …or due today / the next working day


def step_schedule(service: ServiceDef, received: dt.date, *, disadvantaged: bool = False,
                  pauses: tuple[tuple[dt.date, dt.date | None], ...] | list = (),
                  calendar=None, until: dt.date | None = None) -> tuple[StepDue, ...]:
    """The planned due date of each step of ``service`` for a dossier received on ``received``
    (pauses as stored: (from, to) with ``to`` None while running, up to ``until``)."""

    calendar = calendar or default_calendar()
    factor = service_limit(service, disadvantaged) / service.limit_days
    out, total = [], 0.0
    for step in service.steps:
        limit = step.limit_days * factor
        total += limit
        due = None if step.clock_stops else lc.compute_due(
            calendar, received, math.ceil(round(total, 6)), pauses, until)
        out.append(StepDue(step.code, step.name, step.role, limit, due))
    return tuple(out)


def _current_code(service: ServiceDef, state: State, step: str | None) -> str | None:
    codes = [s.code for s in service.steps]

    def after(code: str) -> str | None:
        if code not in codes:
            return None
        i = codes.index(code) + 1
        return codes[i] if i < len(codes) else None

    if state == State.DA_NOP:
        return "TIEP_NHAN" if "TIEP_NHAN" in codes else codes[0]
    if state == State.DA_TIEP_NHAN:
        return after("TIEP_NHAN")
    if state == State.DANG_XU_LY:
        if step in codes:
            return step
        return after(step) if step else after("TIEP_NHAN")
    return {State.CHO_NOP_THUE: "NOP_NGHIA_VU", State.CHO_PHE_DUYET: "PHE_DUYET",
            State.DA_PHE_DUYET: "TRA_KET_QUA"}.get(state)


def step_status(conn: Connection, dossier, today: dt.date, calendar=None) -> StepStatus:
    """The schedule of ``dossier`` (a :class:`~datdai.dossiers.dossiers.Dossier`) and where it
    stands on ``today``."""

    calendar = calendar or default_calendar()
    service = get_service(conn, dossier.service_code)
    if dossier.received_at is None:
        return StepStatus(None, (), False, False)
    stored = [(start, end) for _, start, end in pauses(conn, dossier.id)]
    schedule = step_schedule(service, lc.local_date(dossier.received_at),
                             disadvantaged=dossier.disadvantaged, pauses=stored,
                             calendar=calendar, until=today)
    code = None if dossier.state in lc.FINAL_STATES else _current_code(
        service, dossier.state, dossier.step)
    current = next((s for s in schedule if s.code == code), None)
    if current is None or current.due is None:
        return StepStatus(current, schedule, False, False)
    overdue = today > current.due
    soon = not overdue and current.due <= calendar.add_working_days(today, 1)
    return StepStatus(current, schedule, overdue, soon)
