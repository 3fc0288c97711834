"""One company's contacts, events and metric values: the buyer journey of a prospect, or a customer's
journey through the milestones, emitting what makes each checklist hold on its planned day."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from datetime import date, datetime, time, timedelta

from demo.names import FIRST_NAMES, LAST_NAMES, TITLES
from demo.specs import (
    CONTACTS,
    PROSPECT_STAGES,
    SOURCE,
    Activity,
    CompanyPlan,
    Workspace,
    ascii_text,
    weighted,
)


class ActivityBuilder:
    """Emits one company's contacts, events and metric values."""

    def __init__(self, gen: Workspace, company: CompanyPlan, company_id: int, first_contact_id: int, rng):
        self.gen = gen
        self.company = company
        self.company_id = company_id
        self.next_contact_id = first_contact_id
        self.rng = rng
        self.result = Activity()
        self.contact_ids: list[int] = []
        self.sequence = 0
        self.sessions = 0
        # Days on which each event name was emitted (sorted), to count what a criterion already has.
        self.days_by_name: dict[str, list[date]] = {}
        self.last_day = min(gen.end, company.churned_on) if company.churned_on else gen.end

    # Emission ---------------------------------------------------------------------------------------------

    def at(self, day: date) -> datetime:
        """A moment between 07:00 and 21:00 local time on `day` (one random draw: this runs per event)."""
        seconds = 25_200 + int(self.rng.random() * 50_400)
        return datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60), self.gen.tz)

    def emit(
        self, name: str, day: date, *, props: dict | None = None, session: str = "", contact: bool = True
    ):
        if day > self.last_day or day < self.gen.start:
            return
        occurred = self.at(day)
        self.sequence += 1
        contact_id = None
        draw = self.rng.random()
        if contact and self.contact_ids and draw < 0.75:
            contact_id = self.contact_ids[int(draw / 0.75 * len(self.contact_ids))]
        self.result.events.append(
            (
                self.company_id,
                self.gen.type_ids[name],
                occurred,
                occurred + timedelta(seconds=1 + int(draw * 89)),
                SOURCE,
                f"{self.gen.seed}-{self.company.index}-{self.sequence}",
                contact_id,
                session,
                props or {},
            )
        )
        insort(self.days_by_name.setdefault(name, []), day)

    def visit(self, day: date, events: list[tuple[str, dict]], *, minutes: tuple[int, int] = (2, 20)) -> None:
        """A session: session_started plus the events seen in it, all carrying the session id."""
        self.sessions += 1
        session = f"s-{self.gen.seed}-{self.company.index}-{self.sessions}"
        duration = self.rng.randint(minutes[0] * 60, minutes[1] * 60)
        self.emit(
            "session_started",
            day,
            props={"session_id": session, "duration_seconds": duration},
            session=session,
        )
        for name, props in events:
            self.emit(name, day, props={"session_id": session, **props}, session=session)

    def count_between(self, name: str, low: date, high: date) -> int:
        days = self.days_by_name.get(name, [])
        return bisect_right(days, high) - bisect_left(days, low)

    def spread(self, name: str, count: int, low: date, high: date, *, props: dict | None = None) -> None:
        """`count` events between `low` and `high`, the last one on `high` (so a count completes that day)."""
        if count <= 0:
            return
        span = max(0, (high - low).days)
        for _ in range(count - 1):
            self.emit(name, low + timedelta(days=self.rng.randint(0, span)), props=props)
        self.emit(name, high, props=props)

    # Contacts -------------------------------------------------------------------------------------------

    def contacts(self) -> None:
        company, rng = self.company, self.rng
        low, high = CONTACTS[company.segment]
        for n in range(rng.randint(low, high)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contact_id = self.next_contact_id
            self.next_contact_id += 1
            self.contact_ids.append(contact_id)
            email = ascii_text(f"{first}.{last}.{n}@{company.domain}").lower()
            self.result.contacts.append(
                (
                    contact_id,
                    self.company_id,
                    f"u-{company.index + 1}-{n + 1}",
                    email,
                    f"{first} {last}",
                    rng.choice(TITLES),
                    datetime.combine(self.gen.start, time(9), self.gen.tz),
                )
            )

    # Buyer journey --------------------------------------------------------------------------------------

    def stage_visit(self, stage: int, day: date) -> None:
        rng = self.rng
        if stage == 0:
            self.visit(day, [("blog_viewed", {"content_stage": "problem"})], minutes=(1, 4))
        elif stage == 1:
            events = [("blog_viewed", {"content_stage": "problem"}) for _ in range(rng.randint(1, 3))]
            roll = rng.random()
            if roll < 0.25:
                events.append(
                    (
                        "report_downloaded",
                        {"attention_ratio": round(rng.uniform(0.8, 1.7), 2), "content_stage": "problem"},
                    )
                )
            elif roll < 0.4:
                events.append(
                    (
                        "webinar_attended",
                        {"webinar_type": "industry", "percent_watched": rng.randint(30, 100)},
                    )
                )
            self.visit(day, events, minutes=(3, 15))
        elif stage == 2:
            roll = rng.random()
            if roll < 0.35:
                events = [
                    (
                        "guide_downloaded",
                        {"completion": round(rng.uniform(0.3, 1.0), 2), "content_stage": "solution"},
                    )
                ]
            elif roll < 0.55:
                events = [("roi_calculator_used", {"content_stage": "solution"})]
            elif roll < 0.7:
                events = [
                    (
                        "webinar_attended",
                        {
                            "webinar_type": "product",
                            "percent_watched": rng.randint(40, 100),
                            "content_stage": "solution",
                        },
                    )
                ]
            else:
                events = [("pricing_page_viewed", {}), ("features_page_viewed", {})]
            self.visit(day, events, minutes=(5, 25))
        elif stage == 3:
            roll = rng.random()
            if roll < 0.3:
                events = [(rng.choice(("demo_requested", "trial_started")), {})]
            elif roll < 0.6:
                events = [
                    (
                        rng.choice(("case_study_downloaded", "comparison_downloaded")),
                        {"content_stage": "evaluation"},
                    )
                ]
            else:
                events = [("pricing_page_viewed", {}), ("features_page_viewed", {})]
            self.visit(day, events, minutes=(5, 30))
        else:
            name = rng.choice(
                (
                    "proposal_viewed",
                    "contract_viewed",
                    "sales_meeting_attended",
                    "security_info_requested",
                    "onboarding_doc_viewed",
                    "reference_requested",
                )
            )
            self.visit(day, [(name, {"content_stage": "decision"})], minutes=(10, 40))

    def buyer_journey(self, final_stage: int, first: date, last: date) -> None:
        """Visits from `first` to `last`, moving up through the stages to `final_stage`."""
        rng = self.rng
        visits = rng.randint(*((1, 3), (3, 7), (5, 11), (8, 16), (10, 20))[final_stage])
        span = max(0, (last - first).days)
        days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(visits))
        for n, day in enumerate(days):
            self.stage_visit(min(final_stage, n * (final_stage + 1) // visits), day)

    def prospect_journey(self) -> None:
        rng, gen = self.rng, self.gen
        final_stage = weighted(rng, PROSPECT_STAGES)
        first = gen.start + timedelta(days=rng.randint(0, max(0, gen.days - 14)))
        last = min(gen.end, first + timedelta(days=rng.randint(14, 120)))
        self.buyer_journey(final_stage, first, last)
        if rng.random() < 0.08:
            self.emit("unsubscribed", first + timedelta(days=rng.randint(0, max(0, (gen.end - first).days))))
        if rng.random() < 0.12:
            self.emit(
                "competitor_visited", first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
            )
