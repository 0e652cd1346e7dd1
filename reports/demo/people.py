"""The invented participants of the demo's past events: names, organisations and comments.

Every person and every organisation here is invented; their email addresses are at example.org.
The demo's own organisations (``agenda.demo.people``) are used besides these.
"""

from members.enums import OrganisationType as T

# (name, type, country): invented organisations, so that the mix of types and countries looks
# like the network's members (national authorities, NGOs, employers, unions, academia, diaspora).
ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("National Office for Labour Mobility", T.NATIONAL_AUTHORITY, "IT"),
    ("State Agency for Employment and Skills", T.NATIONAL_AUTHORITY, "RO"),
    ("Directorate for Foreign Employment", T.NATIONAL_AUTHORITY, "PL"),
    ("Office for the Recognition of Foreign Qualifications", T.NATIONAL_AUTHORITY, "CZ"),
    ("Agency for Migration and Integration", T.NATIONAL_AUTHORITY, "FI"),
    ("International Placement Service", T.NATIONAL_AUTHORITY, "NL"),
    ("Labour Market Board", T.NATIONAL_AUTHORITY, "LV"),
    ("Ministry of Labour, Employment Department", T.NATIONAL_AUTHORITY, "HR"),
    ("Public Employment Office, Mobility Unit", T.NATIONAL_AUTHORITY, "SI"),
    ("Safe Migration Europe", T.NGO, "IT"),
    ("Workers Without Borders Aid", T.NGO, "ES"),
    ("Bridges for Newcomers", T.NGO, "DE"),
    ("Open Doors Integration", T.NGO, "SE"),
    ("Fair Work Advice Centre", T.NGO, "AT"),
    ("Centre for Mobility and Work Research", T.THINK_TANK_ACADEMIA, "PL"),
    ("Institute of European Labour Studies", T.THINK_TANK_ACADEMIA, "IT"),
    ("Migration Policy Lab", T.THINK_TANK_ACADEMIA, "DE"),
    ("Federation of Care and Construction Workers", T.TRADE_UNION, "DE"),
    ("Union of Agricultural and Food Workers", T.TRADE_UNION, "ES"),
    ("Transport and Logistics Workers' Union", T.TRADE_UNION, "NL"),
    ("Association of Hospitality Employers", T.EMPLOYERS_PRIVATE_SECTOR, "AT"),
    ("Construction Industry Federation North", T.EMPLOYERS_PRIVATE_SECTOR, "FI"),
    ("Digital Skills Employers' Forum", T.EMPLOYERS_PRIVATE_SECTOR, "IE"),
    ("Healthcare Staffing Partners", T.EMPLOYERS_PRIVATE_SECTOR, "BE"),
    ("Professionals of the Maghreb in Europe", T.DIASPORA_ORGANISATION, "BE"),
    ("West African Diaspora Skills Network", T.DIASPORA_ORGANISATION, "IT"),
    ("Migrant Women's Collective", T.MIGRANT_ASSOCIATION, "ES"),
    ("Newcomers' Association of the Port City", T.MIGRANT_ASSOCIATION, "DE"),
    ("Foundation for Fair Work", T.FOUNDATION, "NL"),
    ("Mobility and Development Trust", T.FOUNDATION, "LU"),
)

# Given and family names by country, for people of organisations based there.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "AT": (("Lena", "Florian", "Katharina", "Tobias"), ("Huber", "Gruber", "Wagner", "Pichler")),
    "BE": (
        ("Elise", "Thomas", "Nathalie", "Pieter", "Sarah", "Karim"),
        ("Peeters", "Dubois", "Janssens", "Lambert", "Claes", "Benali"),
    ),
    "BG": (
        ("Maria", "Georgi", "Desislava", "Ivan"),
        ("Ivanova", "Petrov", "Dimitrova", "Georgiev"),
    ),
    "CH": (("Anna", "Lukas", "Chiara", "Marc"), ("Meier", "Rochat", "Keller", "Bernasconi")),
    "CZ": (("Tereza", "Jakub", "Petra", "Ondřej"), ("Novotná", "Svoboda", "Dvořáková", "Černý")),
    "DE": (
        ("Julia", "Jonas", "Miriam", "Felix", "Aylin", "Stefan"),
        ("Schmidt", "Becker", "Hoffmann", "Schulz", "Yılmaz", "Wolf"),
    ),
    "DK": (("Freja", "Mads", "Ida", "Rasmus"), ("Jensen", "Nielsen", "Hansen", "Møller")),
    "EE": (("Kadri", "Martin", "Liis", "Rasmus"), ("Tamm", "Saar", "Kask", "Mägi")),
    "ES": (
        ("Lucía", "Javier", "Carmen", "Pablo", "Nuria", "Youssef"),
        ("García", "Martínez", "López", "Sánchez", "Romero", "El Amrani"),
    ),
    "FI": (("Aino", "Mikko", "Sanna", "Juha"), ("Korhonen", "Virtanen", "Mäkinen", "Nieminen")),
    "FR": (
        ("Camille", "Julien", "Amina", "Nicolas", "Claire"),
        ("Martin", "Bernard", "Diallo", "Moreau", "Lefèvre"),
    ),
    "GR": (
        ("Eleni", "Nikos", "Katerina", "Giorgos"),
        ("Papadopoulou", "Nikolaidis", "Georgiou", "Alexiou"),
    ),
    "HR": (("Ivana", "Marko", "Petra", "Luka"), ("Horvat", "Kovačević", "Babić", "Marić")),
    "IE": (("Aoife", "Conor", "Niamh", "Seán"), ("Murphy", "Kelly", "O'Sullivan", "Walsh")),
    "IT": (
        ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Mamadou"),
        ("Rossi", "Esposito", "Bianchi", "Romano", "Colombo", "Sow"),
    ),
    "LT": (
        ("Rūta", "Tomas", "Ieva", "Mantas"),
        ("Kazlauskienė", "Petrauskas", "Jankauskaitė", "Žukas"),
    ),
    "LU": (("Anne", "Luc", "Sophie", "Paul"), ("Schmit", "Weber", "Hoffmann", "Muller")),
    "LV": (("Laura", "Jānis", "Ilze", "Andris"), ("Bērziņa", "Kalniņš", "Ozola", "Liepiņš")),
    "NL": (
        ("Sanne", "Daan", "Fleur", "Bram", "Noor"),
        ("de Vries", "Jansen", "Bakker", "Visser", "El Idrissi"),
    ),
    "PL": (
        ("Agnieszka", "Piotr", "Katarzyna", "Tomasz", "Zofia"),
        ("Kowalska", "Nowak", "Wiśniewska", "Zieliński", "Lewandowska"),
    ),
    "PT": (("Inês", "João", "Beatriz", "Tiago"), ("Silva", "Santos", "Ferreira", "Costa")),
    "RO": (("Ioana", "Andrei", "Elena", "Mihai"), ("Popescu", "Ionescu", "Dumitru", "Stan")),
    "SE": (("Ebba", "Oskar", "Maja", "Erik"), ("Lindqvist", "Andersson", "Berg", "Karlsson")),
    "SI": (("Nina", "Matej", "Urška", "Jure"), ("Novak", "Kranjc", "Zupan", "Horvat")),
    "SK": (("Zuzana", "Martin", "Lucia", "Peter"), ("Kováčová", "Horváth", "Tóthová", "Varga")),
}

JOB_TITLES = (
    "Policy officer",
    "Programme manager",
    "Labour migration adviser",
    "Project coordinator",
    "Head of unit",
    "Researcher",
    "Senior adviser",
    "Recruitment manager",
    "Legal officer",
    "Communications officer",
)

# Free-text answers to the survey, invented; the first ones are the kind organisers quote.
TAKEAWAYS = (
    "Hearing how other agencies handle skills recognition gave me two ideas we will test in our "
    "next pilot.",
    "The employers' panel made it clear that we must involve companies before we design the "
    "training, not after.",
    "I am taking back a checklist for ethical recruitment that our partner countries asked for.",
    "Talking to trade unions and employers in the same room was the most useful part for me.",
    "We will reuse the pre-departure training model presented in the workshop.",
    "The data on shortage occupations will go straight into our annual planning.",
    "Good contacts with two ministries we had never worked with before.",
    "A clearer picture of what Talent Partnerships can and cannot do.",
    "The breakout group helped me frame our next funding application.",
    "Practical examples rather than theory: exactly what practitioners need.",
    "More time for questions would have helped, but the content was excellent.",
    "I liked the mix of EU, national and civil society perspectives.",
)

NEXT_TOPICS = (
    "Recognition of informal skills",
    "Return and reintegration",
    "Digital tools for matching",
    "Housing for mobile workers",
    "Language training before departure",
    "Circular mobility in agriculture",
    "Monitoring recruitment agencies",
    "Gender in labour mobility schemes",
)
