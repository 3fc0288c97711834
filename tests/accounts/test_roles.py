import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role, role_for_group_names
from accounts.services import roles_sync, user_create


@pytest.mark.django_db
class TestRoleGroups:
    def test_migrate_creates_the_three_roles(self):
        assert set(Group.objects.values_list("name", flat=True)) >= {"CSM", "Manager", "Admin"}

    def test_csm_can_work_the_queue_but_not_see_the_funnel_or_edit(self, csm):
        assert csm.has_perm("accounts.work_queue")
        assert csm.has_perm("companies.view_company")
        assert not csm.has_perm("accounts.view_success_funnel")
        assert not csm.has_perm("companies.change_company")
        assert not csm.has_perm("milestones.change_milestone")

    def test_manager_sees_the_funnel_and_reads_everything_but_edits_nothing(self, manager):
        assert manager.has_perm("accounts.view_success_funnel")
        assert manager.has_perm("milestones.view_criterion")
        assert not manager.has_perm("milestones.change_criterion")
        assert not manager.has_perm("accounts.work_queue")

    def test_admin_edits_the_methodology_and_the_schedules(self, admin_user):
        assert admin_user.is_staff
        assert admin_user.has_perm("milestones.change_criterion")
        assert admin_user.has_perm("playbooks.add_tasktemplate")
        assert admin_user.has_perm("django_celery_beat.change_periodictask")

    def test_sync_is_idempotent_and_repairs_removed_permissions(self):
        group = Group.objects.get(name="Manager")
        before = set(group.permissions.values_list("codename", flat=True))
        group.permissions.clear()
        roles_sync()
        roles_sync()
        assert set(group.permissions.values_list("codename", flat=True)) == before
        assert Group.objects.filter(name="Manager").count() == 1


def test_role_precedence_takes_the_strongest_group():
    assert role_for_group_names(["CSM", "Manager"]) == Role.MANAGER
    assert role_for_group_names(["CSM", "Admin"]) == Role.ADMIN
    assert role_for_group_names(["Other"]) is None


@pytest.mark.django_db
def test_user_create_gives_one_role_and_staff_only_to_admins():
    admin = user_create(username="root1", role=Role.ADMIN, password="long-password-1")
    csm = user_create(username="csm9", role=Role.CSM)
    assert admin.role == Role.ADMIN and admin.is_staff and admin.check_password("long-password-1")
    assert csm.role == Role.CSM and not csm.is_staff and not csm.has_usable_password()
