"""Organisations, speakers and the venue of the demo.

The organisations named after real public institutions are real; the other organisations, every
person and the venue are invented, and their texts say so.
"""

from members.enums import OrganisationType as T

from .spec import OrganisationSpec, RoomSpec, SpeakerSpec, VenueSpec

DG_HOME = "European Commission – DG HOME"
DG_EMPL = "European Commission – DG EMPL"
ELA = "European Labour Authority"
IOM = "International Organization for Migration (IOM)"
ILO = "International Labour Organization (ILO)"
OECD = "Organisation for Economic Co-operation and Development (OECD)"
ICMPD = "International Centre for Migration Policy Development (ICMPD)"
ETUC = "European Trade Union Confederation (ETUC)"
BMAS = "Federal Ministry of Labour and Social Affairs"
ES_MINISTRY = "Ministry of Inclusion, Social Security and Migration"
BG_MINISTRY = "Ministry of Labour and Social Policy"
GR_MINISTRY = "Ministry of Migration and Asylum"
BE_FPS = "Federal Public Service Employment, Labour and Social Dialogue"
LT_SERVICE = "Employment Service of Lithuania"
FAIR_PATHWAYS = "Fair Pathways Network"
ILMS = "Institute for Labour Mobility Studies"
TALENT_BRIDGE = "Talent Bridge Recruitment"
NORDIC_CARE = "Nordic Care Employers' Federation"
DIASPORA = "Diaspora Professionals for Development"
MIGRANT_VOICE = "Migrant Workers' Voice"
HORIZONS = "Fondation Horizons Solidaires"
BALTIC_CENTRE = "Baltic Centre for Migration Research"
GREENBUILD = "GreenBuild Skills Alliance"

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(DG_HOME, T.EU_INSTITUTION, "BE"),
    OrganisationSpec(DG_EMPL, T.EU_INSTITUTION, "BE"),
    OrganisationSpec(ELA, T.EU_INSTITUTION, "SK"),
    OrganisationSpec(IOM, T.INTERNATIONAL_ORGANISATION, "CH"),
    OrganisationSpec(ILO, T.INTERNATIONAL_ORGANISATION, "CH"),
    OrganisationSpec(OECD, T.INTERNATIONAL_ORGANISATION, "FR"),
    OrganisationSpec(ICMPD, T.INTERNATIONAL_ORGANISATION, "AT"),
    OrganisationSpec(ETUC, T.TRADE_UNION, "BE"),
    OrganisationSpec(BMAS, T.NATIONAL_AUTHORITY, "DE"),
    OrganisationSpec(ES_MINISTRY, T.NATIONAL_AUTHORITY, "ES"),
    OrganisationSpec(BG_MINISTRY, T.NATIONAL_AUTHORITY, "BG"),
    OrganisationSpec(GR_MINISTRY, T.NATIONAL_AUTHORITY, "GR"),
    OrganisationSpec(BE_FPS, T.NATIONAL_AUTHORITY, "BE"),
    OrganisationSpec(LT_SERVICE, T.NATIONAL_AUTHORITY, "LT"),
    # Invented organisations, one or more of each remaining type of member.
    OrganisationSpec(FAIR_PATHWAYS, T.NGO, "NL"),
    OrganisationSpec(ILMS, T.THINK_TANK_ACADEMIA, "BE"),
    OrganisationSpec(BALTIC_CENTRE, T.THINK_TANK_ACADEMIA, "EE"),
    OrganisationSpec(TALENT_BRIDGE, T.EMPLOYERS_PRIVATE_SECTOR, "PT"),
    OrganisationSpec(NORDIC_CARE, T.EMPLOYERS_PRIVATE_SECTOR, "SE"),
    OrganisationSpec(GREENBUILD, T.EMPLOYERS_PRIVATE_SECTOR, "DK"),
    OrganisationSpec(DIASPORA, T.DIASPORA_ORGANISATION, "FR"),
    OrganisationSpec(MIGRANT_VOICE, T.MIGRANT_ASSOCIATION, "IE"),
    OrganisationSpec(HORIZONS, T.FOUNDATION, "FR"),
)

# Invented people. The loader ends every biography with "(Sample data.)".
SPEAKERS: tuple[SpeakerSpec, ...] = (
    SpeakerSpec(
        "lukas-brandstaetter",
        "Lukas",
        "Brandstätter",
        ICMPD,
        "Coordinator, Labour Mobility Practitioners' Network",
        "AT",
        "Lukas coordinates the network's events and members' exchanges within the Migration "
        "Partnership Facility. He previously worked on skills partnerships in the Western "
        "Balkans.",
    ),
    SpeakerSpec(
        "anouk-verbruggen",
        "Anouk",
        "Verbruggen",
        ICMPD,
        "Project Officer, Migration Partnership Facility",
        "BE",
        "Anouk supports labour mobility pilot projects funded through the Migration Partnership "
        "Facility and runs the network's community board.",
    ),
    SpeakerSpec(
        "elodie-marchand",
        "Élodie",
        "Marchand",
        DG_HOME,
        "Policy Officer, Legal Migration and Integration",
        "FR",
        "Élodie works on Talent Partnerships and the EU Talent Pool. Before joining the "
        "Commission she worked for a regional employment agency in Lyon.",
    ),
    SpeakerSpec(
        "bogdan-ionescu-radulescu",
        "Bogdan",
        "Ionescu-Rădulescu",
        DG_EMPL,
        "Policy Officer, Skills and Qualifications",
        "RO",
        "Bogdan follows the recognition of skills and qualifications of third-country nationals "
        "and the European Skills, Competences, Qualifications and Occupations classification.",
    ),
    SpeakerSpec(
        "ingrid-holmgaard",
        "Ingrid",
        "Holmgaard",
        ELA,
        "Head of Sector, Cooperation and Information",
        "DK",
        "Ingrid leads cooperation between national labour inspectorates and information "
        "campaigns on fair labour mobility.",
    ),
    SpeakerSpec(
        "matteo-dellorto",
        "Matteo",
        "Dell'Orto",
        ILO,
        "Labour Migration Specialist",
        "IT",
        "Matteo advises governments on bilateral labour migration agreements and fair "
        "recruitment, with a focus on North Africa.",
    ),
    SpeakerSpec(
        "francesca-loreti",
        "Francesca",
        "Loreti",
        IOM,
        "Labour Mobility Programme Coordinator",
        "IT",
        "Francesca coordinates pre-departure training and skills development programmes in "
        "countries of origin.",
    ),
    SpeakerSpec(
        "agnieszka-wroblewska",
        "Agnieszka",
        "Wróblewska",
        OECD,
        "Policy Analyst, International Migration Division",
        "PL",
        "Agnieszka analyses labour shortages and the use of labour migration to address them "
        "across OECD countries.",
    ),
    SpeakerSpec(
        "kristjan-tamm",
        "Kristjan",
        "Tamm",
        ETUC,
        "Policy Adviser, Migration and Inclusion",
        "EE",
        "Kristjan works on equal treatment of migrant workers and on the role of social "
        "partners in labour migration schemes.",
    ),
    SpeakerSpec(
        "aikaterini-papadopoulou",
        "Αικατερίνη",
        "Παπαδοπούλου",
        GR_MINISTRY,
        "Head of Unit, Legal Migration",
        "GR",
        "Aikaterini leads the unit that designs Greece's seasonal and circular migration "
        "schemes with partner countries.",
    ),
    SpeakerSpec(
        "radoslav-kirilov",
        "Радослав",
        "Кирилов",
        BG_MINISTRY,
        "Senior Expert, Labour Migration Directorate",
        "BG",
        "Radoslav works on the admission of third-country workers and on cooperation with "
        "public employment services in partner countries.",
    ),
    SpeakerSpec(
        "dolores-ibanez-ortega",
        "Dolores",
        "Ibáñez Ortega",
        ES_MINISTRY,
        "Adviser, Legal Migration",
        "ES",
        "Dolores has worked on circular migration programmes in agriculture for over ten years.",
    ),
    SpeakerSpec(
        "pieter-jan-claes",
        "Pieter-Jan",
        "Claes",
        BE_FPS,
        "Attaché, Economic Migration",
        "BE",
        "Pieter-Jan follows work permits and the single permit procedure, and the dialogue with "
        "the regions that issue them.",
    ),
    SpeakerSpec(
        "egle-kazlauskiene",
        "Eglė",
        "Kazlauskienė",
        LT_SERVICE,
        "Head of International Mobility",
        "LT",
        "Eglė runs the employment service's matching of job seekers from partner countries with "
        "Lithuanian employers.",
    ),
    SpeakerSpec(
        "sabine-hollmann",
        "Sabine",
        "Hollmann",
        BMAS,
        "Desk Officer, Skilled Immigration",
        "DE",
        "Sabine works on the implementation of Germany's skilled immigration rules and on "
        "recognition partnerships.",
    ),
    SpeakerSpec(
        "joost-van-der-heijden",
        "Joost",
        "van der Heijden",
        FAIR_PATHWAYS,
        "Programme Director",
        "NL",
        "Joost leads an NGO programme that accompanies migrant workers from recruitment to their "
        "first year at work.",
    ),
    SpeakerSpec(
        "maren-oestergaard",
        "Maren",
        "Østergaard",
        ILMS,
        "Senior Researcher",
        "DK",
        "Maren researches employers' motives for recruiting abroad and the costs of mobility "
        "schemes.",
    ),
    SpeakerSpec(
        "ciaran-breathnach",
        "Ciarán",
        "Breathnach",
        ILMS,
        "Research Associate",
        "IE",
        "Ciarán writes the network's meeting reports and studies skills recognition in health "
        "care.",
    ),
    SpeakerSpec(
        "katerina-hrubesova",
        "Kateřina",
        "Hrubešová",
        BALTIC_CENTRE,
        "Research Fellow",
        "CZ",
        "Kateřina studies the retention of migrant workers in the Baltic states and Central "
        "Europe.",
    ),
    SpeakerSpec(
        "luis-ferreira-gomes",
        "Luís",
        "Ferreira Gomes",
        TALENT_BRIDGE,
        "Managing Partner",
        "PT",
        "Luís runs a recruitment agency that places nurses and engineers under ethical "
        "recruitment standards.",
    ),
    SpeakerSpec(
        "henrik-sjoeberg",
        "Henrik",
        "Sjöberg",
        NORDIC_CARE,
        "Director of Workforce Policy",
        "SE",
        "Henrik represents care employers in national talks on staff shortages and training.",
    ),
    SpeakerSpec(
        "mette-kjaergaard",
        "Mette",
        "Kjærgaard",
        GREENBUILD,
        "Head of Talent",
        "DK",
        "Mette builds training-to-employment routes for installers of heat pumps and solar panels.",
    ),
    SpeakerSpec(
        "zeynep-aydin-schroeder",
        "Zeynep",
        "Aydın-Schröder",
        DIASPORA,
        "Chair",
        "DE",
        "Zeynep chairs a network of diaspora professionals who mentor newly arrived workers.",
    ),
    SpeakerSpec(
        "siobhan-ni-fhearghail",
        "Siobhán",
        "Ní Fhearghail",
        MIGRANT_VOICE,
        "Advocacy Coordinator",
        "IE",
        "Siobhán brings migrant workers' own accounts of recruitment and integration to policy "
        "discussions.",
    ),
    SpeakerSpec(
        "amara-keita-lambert",
        "Amara",
        "Keïta-Lambert",
        HORIZONS,
        "Programme Manager",
        "FR",
        "Amara manages the foundation's grants for vocational training in countries of origin.",
    ),
)

VENUE = VenueSpec(
    name="Marie-Louise Conference Centre",
    address="Square Marie-Louise 40",
    postal_code="1000",
    city="Brussels",
    country="BE",
    latitude="50.846200",
    longitude="4.379800",
    map_url="https://www.openstreetmap.org/?mlat=50.8462&mlon=4.3798#map=17/50.8462/4.3798",
    directions=(
        "Sample venue: the name and the rooms are invented for the demo. Metro lines 1 and 5, "
        "station Maelbeek or Schuman, then a five-minute walk."
    ),
    rooms=(
        RoomSpec("Plenary Hall", 220),
        RoomSpec("Horta Room", 60),
        RoomSpec("Jordaens Room", 40),
        RoomSpec("Meunier Room", 40),
        RoomSpec("Foyer", 250),
    ),
)
