"""factory_boy factories: the smallest valid object of each model, overridable per test."""

from __future__ import annotations

from datetime import UTC, date, datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from companies.models import Company, Contact, Event, EventType, MetricValue
from content.models import Resource
from milestones.models import Achievement, Criterion, Milestone, Phase
from playbooks.models import TaskTemplate


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def role(user, create, extracted: Role | None, **kwargs):
        if extracted is None:
            return
        user.groups.add(Group.objects.get(name=GROUP_NAMES[extracted]))
        if extracted == Role.ADMIN:
            user.is_staff = True
            user.save(update_fields=["is_staff"])


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    external_id = factory.Sequence(lambda n: f"co-{n:05d}")
    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.LazyAttribute(lambda company: f"{company.external_id}.example")
    lifecycle = Company.Lifecycle.CUSTOMER
    customer_since = date(2026, 1, 5)
    segment = "SMB"
    plan = "Pro"
    mrr = 1000


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    company = factory.SubFactory(CompanyFactory)
    external_id = factory.Sequence(lambda n: f"u-{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")


class EventTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventType
        django_get_or_create = ("name",)

    name = "blog_viewed"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    company = factory.SubFactory(CompanyFactory)
    type = factory.SubFactory(EventTypeFactory)
    occurred_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    source = "test"
    message_id = factory.Sequence(lambda n: f"msg-{n}")
    properties = factory.LazyFunction(dict)


class MetricValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricValue

    company = factory.SubFactory(CompanyFactory)
    metric = "landing_page_conversion_rate"
    date = date(2026, 3, 2)
    value = 0.18


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    key = factory.Sequence(lambda n: f"phase-{n}")
    name = factory.Sequence(lambda n: f"Phase {n}")
    order = factory.Sequence(lambda n: n + 1)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    phase = factory.SubFactory(PhaseFactory)
    key = factory.Sequence(lambda n: f"milestone-{n}")
    name = factory.Sequence(lambda n: f"Milestone {n}")
    order = factory.Sequence(lambda n: n + 1)
    target_days = 30


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    milestone = factory.SubFactory(MilestoneFactory)
    kind = Criterion.Kind.EVENT_COUNT
    event_name = "landing_page_published"
    threshold = 1


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    company = factory.SubFactory(CompanyFactory)
    milestone = factory.SubFactory(MilestoneFactory)
    achieved_on = date(2026, 3, 2)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Resource {n}")
    kind = Resource.Kind.GUIDE
    url = factory.Sequence(lambda n: f"https://academy.example/r-{n}")


class TaskTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTemplate

    milestone = factory.SubFactory(MilestoneFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Task {n}")
