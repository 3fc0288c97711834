"""Company data every app reads: companies, their contacts, what they did (events) and the KPIs their
product reports (metric values)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Now
from django.urls import reverse

from accounts.roles import Role
from accounts.selectors import covered_by
from companies.ids import MAX_LENGTH, validate_external_id
from core.days import today, validate_day_kept


class CompanyQuerySet(models.QuerySet):
    def customers(self) -> CompanyQuerySet:
        return self.filter(lifecycle=Company.Lifecycle.CUSTOMER)

    def visible_to(self, user) -> CompanyQuerySet:
        """CSMs see the companies they own and, while they cover for a colleague who is away (accounts.Cover),
        the colleague's; managers and admins see all."""
        if user.sees_everyone:
            return self
        if user.role == Role.CSM:
            return self.filter(Q(csm=user) | Q(csm__in=covered_by(user, today())))
        return self.none()


class Company(models.Model):
    """A customer or prospect account, identified across systems by the vendor's `external_id`."""

    class Lifecycle(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        CUSTOMER = "customer", "Customer"
        CHURNED = "churned", "Churned"

    external_id = models.CharField(
        max_length=MAX_LENGTH,
        unique=True,
        validators=[validate_external_id],
        help_text="The vendor's id for the company; the last part of its URL (no '/').",
    )
    name = models.CharField(max_length=255)
    domain = models.CharField(max_length=255, blank=True)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="companies",
        verbose_name="CSM",
    )
    segment = models.CharField(max_length=64, blank=True)
    plan = models.CharField(max_length=64, blank=True)
    mrr = models.DecimalField("MRR", max_digits=12, decimal_places=2, default=0)
    lifecycle = models.CharField(max_length=16, choices=Lifecycle.choices, default=Lifecycle.PROSPECT)
    customer_since = models.DateField(null=True, blank=True, validators=[validate_day_kept])
    churned_on = models.DateField(null=True, blank=True, validators=[validate_day_kept])
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mrr__gte=0),
                name="company_mrr_not_negative",
                violation_error_message="MRR cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(lifecycle="customer") | Q(customer_since__isnull=False),
                name="company_customer_has_since",
                violation_error_message="A customer needs a 'customer since' date.",
            ),
            models.CheckConstraint(
                condition=~Q(lifecycle="churned") | Q(churned_on__isnull=False),
                name="company_churned_has_date",
                violation_error_message="A churned company needs a 'churned on' date.",
            ),
            models.CheckConstraint(
                condition=Q(churned_on__isnull=True)
                | Q(customer_since__isnull=True)
                | Q(churned_on__gte=F("customer_since")),
                name="company_churn_after_start",
                violation_error_message="'Churned on' cannot be before 'customer since'.",
            ),
        ]
        indexes = [
            # The daily assessment selects customers; the funnel filters cohorts by customer_since.
            models.Index(fields=["lifecycle", "customer_since"], name="company_lifecycle_since"),
            # Company lists (pages, admin) are sorted by name, then id: a page is an index walk, not a sort of
            # all, and a deep page reads only this index to find its ids (core/pagination.py).
            models.Index(fields=["name", "id"], name="company_name_id"),
            # Sorted by MRR (e.g. the stuck ones, largest first): walk this index, probe progress, stop at 25.
            models.Index(fields=["mrr", "id"], name="company_mrr_id"),
            # Search (name or domain contains…) has trigram indexes on PostgreSQL: migration
            # 0003_company_search_trigram_indexes.
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The company's page (a route of the site's URL table, config/urls.py)."""
        return reverse("web:company_detail", args=[self.external_id])


class Contact(models.Model):
    """A person at a company, known by the vendor's user id (one person, one id: unique) and/or an email
    address (unique within the company)."""

    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    external_id = models.CharField(max_length=255, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    name = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="contact_external_id_unique",
                violation_error_message="Another contact has this external id.",
            ),
            # An address is one person's at one company (a consultant may work with two companies): unique
            # per company, whatever its case, and among the contacts without a company.
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=~Q(email="") & Q(company__isnull=False),
                name="contact_email_unique_in_company",
                violation_error_message="Another contact of this company has this email address.",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email="") & Q(company__isnull=True),
                name="contact_email_unique_without_company",
                violation_error_message="Another contact without a company has this email address.",
            ),
            models.CheckConstraint(
                condition=~Q(external_id="") | ~Q(email=""),
                name="contact_identifiable",
                violation_error_message="A contact needs an external id or an email address.",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class EventType(models.Model):
    """Event names, stored once: the event table keeps a 4-byte key instead of the name, which keeps its
    main index small (the daily jobs scan it for 10M+ events) and comparisons cheap."""

    id = models.AutoField(primary_key=True)
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """Something a company did. Events are facts: stored once per (source, message_id), never edited."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # event_company_type_time leads with company_id and serves lookups by company
    )
    type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="+", db_index=False)
    occurred_at = models.DateTimeField(help_text="When it happened (the client's timestamp, skew-corrected).")
    received_at = models.DateTimeField(db_default=Now())
    source = models.CharField(max_length=64, help_text="The sender: a write key's source, 'api', or 'demo'.")
    message_id = models.CharField(max_length=100)
    # No index: contacts are rarely deleted, and each index costs every insert on the hottest table.
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, db_index=False)
    session_id = models.CharField(max_length=100, blank=True, db_default="")
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            # Idempotent ingestion: a retried message is stored once (INSERT … ON CONFLICT DO NOTHING).
            models.UniqueConstraint(fields=["source", "message_id"], name="event_source_message_unique"),
        ]
        indexes = [
            # Checklist counts and the date of the N-th event (company, name, time window), and the
            # scoring replay of one rule's events; covering, so counts are index-only scans.
            models.Index(fields=["company", "type", "occurred_at"], name="event_company_type_time"),
            # A company's timeline (company page, events API) and active days for health.
            models.Index(fields=["company", "occurred_at"], name="event_company_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class MetricValue(models.Model):
    """A KPI value the vendor's product reported for a company on a day. The value on a day is the latest
    value on or before that day."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="metric_values",
        db_index=False,  # the unique constraint below leads with company_id
    )
    metric = models.CharField(max_length=100)
    date = models.DateField(validators=[validate_day_kept])
    value = models.FloatField()
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["company_id", "metric", "date"]
        constraints = [
            # One value per company, metric and day; also serves "latest value on or before day D".
            models.UniqueConstraint(
                fields=["company", "metric", "date"], name="metric_value_company_metric_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.value} on {self.date}"
