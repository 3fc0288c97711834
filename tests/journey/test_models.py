"""The database itself refuses bad rows, whatever path wrote them."""

import pytest
from django.db import IntegrityError, transaction

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError) if not kwargs else pytest.raises(IntegrityError, **kwargs)


class TestStage:
    def test_a_stage_bound_stays_within_0_and_10(self, methodology):
        from journey.models import Stage

        with refused(), transaction.atomic():
            Stage.objects.create(key="beyond", name="Beyond", order=9, min_score=1001)
