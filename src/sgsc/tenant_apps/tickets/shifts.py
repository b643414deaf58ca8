"""Operators on and off shift: round robin (``services._assign_round_robin``) hands tickets
only to the members of a queue's team who are on shift."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sgsc.platform.errors import AccessDenied, Conflict
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.catalog.models import TeamMember
from sgsc.tenant_apps.tickets.access import TicketAccess


def team_member_shift_set(*, access: TicketAccess, on_shift: bool) -> list[TeamMember]:
    """Mark the person on or off shift in every active team they belong to (a shift is the
    person's, not one team's); returns those memberships, changed."""
    with audited_refusal(action="team_member.shift", actor=access.user,
                         object_type="team_member", object_id=access.user.pk,
                         details={"on_shift": on_shift}):
        if not access.can(Capability.TICKETS_WORK):
            raise AccessDenied(_("Nu aveți dreptul să efectuați această acțiune."),
                               code="permission_denied")
        with transaction.atomic():
            members = list(TeamMember.objects.select_for_update()
                           .filter(user=access.user, team__is_active=True)
                           .select_related("team").order_by("team__level", "team__name"))
            if not members:
                raise Conflict(_("Nu faceți parte din nicio echipă; cereți supervizorului să "
                                 "vă adauge."), code="not_team_member")
            changed = [member.pk for member in members if member.on_shift != on_shift]
            TeamMember.objects.filter(pk__in=changed).update(on_shift=on_shift)
            for member in members:
                member.on_shift = on_shift
            audit_record(action="team_member.shift", actor=access.user,
                         object_type="team_member", object_id=access.user.pk,
                         details={"on_shift": on_shift,
                                  "teams": [member.team_id for member in members],
                                  "changed": len(changed)})
        return members
