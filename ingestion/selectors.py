"""Reads for ingestion: which companies and contacts a batch of events names."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from companies.models import Company, Contact


@dataclass(frozen=True)
class Attribution:
    company_ids: dict[str, int]  # company external_id → id
    contacts: dict[str, tuple[int, int | None]]  # contact external_id → (id, company id)

    def resolve(self, company_key: str, user_id: str) -> tuple[int | None, int | None]:
        """(company id, contact id) of an event: the company it names if it names one (None while that
        company is unknown), else its user's contact's company."""
        contact_id, contact_company = self.contacts.get(user_id, (None, None))
        return (self.company_ids.get(company_key) if company_key else contact_company), contact_id


def attribution_lookup(*, company_keys: set[str], user_ids: set[str]) -> Attribution:
    """The companies and contacts a batch of events names. On PostgreSQL one round trip with two array
    parameters: this runs for every ingestion request, where a query per lookup (each with an IN list of up
    to 100 parameters to bind) costs as much as storing the events."""
    company_keys, user_ids = company_keys - {""}, user_ids - {""}
    if connection.vendor != "postgresql":
        return Attribution(
            dict(Company.objects.filter(external_id__in=company_keys).values_list("external_id", "id")),
            {
                external_id: (contact_id, company_id)
                for external_id, contact_id, company_id in Contact.objects.filter(
                    external_id__in=user_ids
                ).values_list("external_id", "id", "company_id")
            },
        )
    quote = connection.ops.quote_name
    companies, contacts_table = quote(Company._meta.db_table), quote(Contact._meta.db_table)
    company_ids, contacts = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT true, external_id, id, NULL FROM {companies} WHERE external_id = ANY(%s) "  # noqa: S608
            f"UNION ALL SELECT false, external_id, id, company_id FROM {contacts_table} "
            "WHERE external_id = ANY(%s) AND external_id <> ''",
            [list(company_keys), list(user_ids)],
        )
        for is_company, external_id, row_id, company_id in cursor.fetchall():
            if is_company:
                company_ids[external_id] = row_id
            else:
                contacts[external_id] = (row_id, company_id)
    return Attribution(company_ids, contacts)
