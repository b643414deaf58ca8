"""The operator workspace on tenant hosts: queues, the ticket page and the phone intake.

Thin views over the ticket services and selectors; every read goes through the person's
``TicketAccess`` (hub scoping, invariant 1) and every change through a service, which judges
the rights and records the change or its refusal (invariant 3).
"""
