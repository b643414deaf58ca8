"""The isolation proof (invariant 1).

Every route of ``sgsc.platform.urls_public`` and ``sgsc.platform.urls_tenant`` is found by
walking the resolvers (``routes.py``); each one is its own test, so a new endpoint is a new
test without anyone adding it. The victims (``world.py``) are tenant prov-b, seeded with one
object of every kind (members, a revoked member, a sign-in session, an API token, an
activation link, audit events on its chain, its workspace profile, a group in its schema, its
contract, request, institution and provisioning job; its support data, ``world_tickets.py``;
its phone channel, ``world_telephony.py``: a PBX connector, a line, an extension, an answered
and a missed call with their events), and institution Y inside the hub (its registry row, its
hub membership, a person serving only Y and that person's grants, a ticket, a line of Y and a
missed and an answered call on it).
Every seeded object carries the victim's marker (``SECRET-B-…``, ``SECRET-Y-…``) where it has
a text field. The identifiers of these objects (ids, slugs, numbers, IDNO/IDNP, e-mails, and
bearer secrets) fill every path parameter whose converter accepts them.

Scenarios, each over every route:

1. prov-a's host, signed in as a member of prov-a holding every tenant role, asking for
   prov-b's objects;
2. prov-b's host, with that member's session (bound to prov-a) or API token;
3. the public host, with that session or token (the member has no platform role);
4. the hub's host, signed in as an ``l1_operator`` limited to institution X, asking for
   institution Y's objects.

On the attacker's own host (1, 4) every filling of the parameters is tried with GET, an empty
form POST, POST/PUT/PATCH with a small JSON body holding the victim's ids, and DELETE; on
``/api/`` routes GET and PATCH are also tried with the attacker's API token instead of the
session; routes without parameters are also tried with query strings naming the victim
(``?tenant=prov-b``, ``?institution=<Y>``, ...). On a foreign host (2, 3), where the
attacker's credentials die in the middleware whatever the request, two fillings per route are
tried with GET, JSON POST and DELETE (and GET with the token on ``/api/`` routes; on prov-b's
host also GET and JSON POST with the key of prov-a's PBX connector: the JSON body carries a
valid batch of call events, so a key accepted there would store a call in prov-b).

What counts as refused:

- On the attacker's own host (1, 4), a route with parameters must answer 403 or 404, or 405
  when the method does not exist there, and the attacker must still be signed in when the
  view answers (else the attempt would prove nothing). A 401 or a redirect to the sign-in
  page is not accepted there: the attacker is signed in. A route without parameters (home,
  sign-in, API schema and docs, jsi18n, i18n, the attacker's own lists) may answer anything
  below 500.
- On a foreign host (2, 3) the attacker's session or token must count for nothing: the
  request must end anonymous (the session is ended, the token refused). The answer must be
  403, 404, 405, 401 (API, not authenticated) or a redirect to the sign-in page, unless an
  anonymous visitor gets the same status for the same request (a page open to everyone).
- Never a 5xx. Never one of the victim's markers in the body or headers, with one exception:
  on the victim's own host (2) a marker an anonymous visitor sees too (the tenant's public
  face) is not the attacker's doing. Bearer secrets of prov-b (activation token, session key,
  API key) are not tried on prov-b's own host, where whoever holds one may use it by design.
- After each route's attempts, the victim's data is unchanged: every table of prov-b's schema,
  every public row pointing at prov-b (found through the foreign keys to ``Tenant``), its
  people, session, request and institution, and Y's rows; prov-b's audit chain may only have
  grown by failures (recorded refusals).

Celery tasks (``test_tasks.py``): every task registered under our names must be classified,
and each class is exercised from prov-a's schema with prov-b's identifiers.

The proof can fail: ``test_selftest.py`` plants a route that shows another tenant's member
and one that writes to it while answering 404 (``leaky_urls.py``), and checks both are
caught. ``test_world.py`` fails when a new kind of tenant data (a model of a tenant app, or
a public model with a foreign key to ``Tenant``) has no victim row, and ``test_tasks.py``
when a new task has no class: seed it / classify it, and the proof covers it.
"""
