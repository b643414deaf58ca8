"""Version 1 of AGE's standard connection contract (Annex 1 §6-12, decision pt. 5 subpt. 2).

The body is a Django template rendered with the contract's context (see
``sgsc.provisioning.contracts.pdf.contract_context``). It is copied here, not read from a file,
so that the migration always creates the same text.
"""

import datetime

from django.db import migrations

TITLE = "Contract-tip de conectare și utilizare a SI SGSC"
EFFECTIVE_FROM = datetime.date(2026, 1, 1)
BODY = """\
<h1>CONTRACT DE CONECTARE ȘI UTILIZARE<br>a Sistemului informațional „Serviciul guvernamental de suport clienți”<br>nr. {{ contract.number }}</h1>

<p class="place-date">mun. Chișinău{% if contract.signed_at %}, {{ contract.signed_at|date:"d.m.Y" }}{% else %}, „____” ______________ 20____{% endif %}</p>

<h2>Părțile</h2>
<p><strong>{{ age.name }}</strong>, IDNO {{ age.idno|default:"_____________" }}, cu sediul în {{ age.address }}, în calitate de posesor și deținător al Sistemului informațional „Serviciul guvernamental de suport clienți” (în continuare — <em>AGE</em> sau <em>posesorul</em>), reprezentată de {% if signatures.age %}{{ signatures.age.signer_name }}, {{ signatures.age.signer_position }}{% else %}______________________{% endif %},</p>
<p>și</p>
<p><strong>{{ provider.name }}</strong>, IDNO {{ provider.idno }}{% if provider.address %}, cu sediul în {{ provider.address }}{% endif %}, în calitate de prestator de servicii publice (în continuare — <em>prestatorul</em>), reprezentat(ă) de {% if signatures.provider %}{{ signatures.provider.signer_name }}, {{ signatures.provider.signer_position }}{% else %}______________________{% endif %},</p>
<p>denumite în continuare împreună <em>părțile</em>, în temeiul Regulamentului privind organizarea și funcționarea Serviciului guvernamental de suport clienți (Anexa nr. 1, pct. 6–12) și al cererii de conectare nr. {{ request.number }}{% if request.received_at %} din {{ request.received_at|date:"d.m.Y" }}{% endif %}, au încheiat prezentul contract, întocmit după contractul-tip aprobat de AGE (versiunea {{ template.version }}).</p>

<h2>1. Obiectul contractului</h2>
<p>1.1. AGE conectează prestatorul la Sistemul informațional „Serviciul guvernamental de suport clienți” (în continuare — <em>SI SGSC</em>) și îi acordă dreptul de utilizare a acestuia pentru acordarea suportului clienților serviciilor sale publice, iar prestatorul se obligă să utilizeze SI SGSC în condițiile prezentului contract și să achite tarifele aferente.</p>
<p>1.2. Modul de funcționare: {% if hub %}hub comun de suport, coordonat de <strong>{{ hub.coordinator.name }}</strong> (IDNO {{ hub.coordinator.idno }}) în baza acordului interinstituțional nr. {{ hub.agreement_number|default:"—" }}{% if hub.agreement_date %} din {{ hub.agreement_date|date:"d.m.Y" }}{% endif %}, pentru următoarele instituții membre:{% else %}individual.{% endif %}</p>
{% if hub %}<ul>{% for member in hub.members %}<li>{{ member.name }} (IDNO {{ member.idno }})</li>{% empty %}<li>—</li>{% endfor %}</ul>{% endif %}
<p>1.3. Serviciile publice pentru care se acordă suport prin SI SGSC:</p>
<ol class="items">{% for service in services %}<li>{{ service }}</li>{% endfor %}</ol>
<p>1.4. Canalele de comunicare cu clienții puse la dispoziție: {{ channels|join:", " }}.</p>
<p>1.5. Spațiul de lucru al prestatorului în SI SGSC are identificatorul <strong>{{ contract.tenant_slug }}</strong> și adresa <strong>{{ tenant_host }}</strong>.</p>

<h2>2. Obligațiile AGE</h2>
<p>2.1. Să pună la dispoziția prestatorului informația de acces la SI SGSC (adresa spațiului de lucru, datele de activare a contului de administrator și datele de contact ale AGE) în termen de <strong>{{ handover_days }} zile lucrătoare</strong> de la semnarea prezentului contract.</p>
<p>2.2. Să asigure disponibilitatea, integritatea și securitatea SI SGSC, cu excepția întreruperilor planificate, anunțate prestatorului în prealabil.</p>
<p>2.3. Să acorde prestatorului suport tehnic și metodologic privind utilizarea SI SGSC, în zilele lucrătoare, și să asigure gestionarea utilizatorilor prestatorului conform Regulamentului privind modul de ținere a resursei informaționale (Anexa nr. 2, pct. 33–34).</p>
<p>2.4. Să informeze prestatorul despre modificările funcționale ale SI SGSC care îi afectează activitatea.</p>

<h2>3. Obligațiile prestatorului</h2>
<p>3.1. Să utilizeze SI SGSC pentru toate activitățile de consultanță și suport de nivelurile 1 și 2 pe care le asigură (Anexa nr. 1, pct. 12), numai în scopurile ce rezultă din necesitatea de asigurare a suportului pentru clienți.</p>
<p>3.2. Să înregistreze și să soluționeze tichetele în termenele stabilite sau, după caz, să escaladeze solicitările clienților, și să asigure nivelul agreat de servicii.</p>
<p>3.3. Să prelucreze datele cu caracter personal ale clienților în conformitate cu Legea nr. 133/2011 privind protecția datelor cu caracter personal, numai în scopul acordării suportului, și să asigure confidențialitatea profilurilor de utilizator și a semnăturilor electronice ale angajaților săi.</p>
<p>3.4. Să achite tarifele pentru utilizarea SI SGSC aprobate de Cancelaria de Stat, conform grilei tarifare cu codul <strong>{{ contract.tariff_code }}</strong>, și să planifice în bugetul propriu mijloacele financiare necesare (Anexa nr. 1, pct. 11).</p>
<p>3.5. Să informeze AGE, în cel mult 3 zile lucrătoare, despre modificarea raporturilor de serviciu ale angajaților care au acces la SI SGSC.</p>

<h2>4. Termenul contractului</h2>
<p>4.1. Contractul intră în vigoare la data de {% if contract.effective_date %}{{ contract.effective_date|date:"d.m.Y" }}{% else %}semnării lui de către ambele părți{% endif %} și se încheie pe un termen de {{ contract.term_months }} luni.</p>
<p>4.2. Contractul poate fi prelungit prin acordul scris al părților.</p>

<h2>5. Suspendarea și încetarea</h2>
<p>5.1. AGE poate suspenda accesul prestatorului la SI SGSC în cazul încălcării regulilor de utilizare a sistemului, al constatării încălcării securității informaționale sau al neachitării tarifelor, cu notificarea motivelor și a temeiului legal.</p>
<p>5.2. Contractul încetează la expirarea termenului, prin acordul părților sau prin rezilierea lui de către una dintre părți, cu o notificare prealabilă de 30 de zile calendaristice.</p>
<p>5.3. La suspendarea, expirarea sau încetarea contractului, dreptul de acces al utilizatorilor prestatorului la SI SGSC se revocă (Anexa nr. 2, pct. 37.4). Datele prestatorului rămân disponibile doar pentru citire pe durata termenului de păstrare și pot fi exportate la cererea acestuia.</p>

<h2>6. Dispoziții finale</h2>
<p>6.1. Litigiile dintre părți se soluționează pe cale amiabilă, iar în lipsa unui acord — în instanța de judecată competentă a Republicii Moldova.</p>
<p>6.2. Modificările la prezentul contract se fac prin acorduri adiționale semnate de ambele părți.</p>
<p>6.3. Prezentul contract este întocmit în limba română, în formă electronică, semnat de ambele părți și are aceeași putere juridică pentru fiecare dintre ele.</p>

<h2>Semnăturile părților</h2>
<table class="signatures">
  <tr>
    <th>AGE</th>
    <th>Prestatorul</th>
  </tr>
  <tr>
    <td>{{ age.name }}<br>IDNO {{ age.idno|default:"_____________" }}<br>{{ age.address }}</td>
    <td>{{ provider.name }}<br>IDNO {{ provider.idno }}<br>{{ provider.address }}</td>
  </tr>
  <tr>
    <td>{% if signatures.age %}{{ signatures.age.signer_position }}<br><strong>{{ signatures.age.signer_name }}</strong><br>semnat la {{ signatures.age.signed_at|date:"d.m.Y H:i" }}{% else %}Funcția: ______________________<br>Numele: ______________________<br>Semnătura: ___________________{% endif %}</td>
    <td>{% if signatures.provider %}{{ signatures.provider.signer_position }}<br><strong>{{ signatures.provider.signer_name }}</strong><br>semnat la {{ signatures.provider.signed_at|date:"d.m.Y H:i" }}{% else %}Funcția: ______________________<br>Numele: ______________________<br>Semnătura: ___________________{% endif %}</td>
  </tr>
</table>
"""


def create_version_1(apps, schema_editor):
    ContractTemplate = apps.get_model("contracts", "ContractTemplate")
    if not ContractTemplate.objects.filter(version=1).exists():
        ContractTemplate.objects.create(version=1, title=TITLE, body=BODY,
                                        effective_from=EFFECTIVE_FROM)


def remove_version_1(apps, schema_editor):
    ContractTemplate = apps.get_model("contracts", "ContractTemplate")
    Contract = apps.get_model("contracts", "Contract")
    if not Contract.objects.filter(template__version=1).exists():
        ContractTemplate.objects.filter(version=1).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0002_signature_document_status_grounds"),
    ]

    operations = [
        migrations.RunPython(create_version_1, remove_version_1),
    ]
