"""Names and texts shared by the demo's events."""

from agenda.enums import SessionKind, SpeakerRole

from ..spec import DocumentSpec

K = SessionKind
CHAIR = SpeakerRole.CHAIR
MODERATOR = SpeakerRole.MODERATOR
SPEAKER = SpeakerRole.SPEAKER
PRESENTING = SpeakerRole.PRESENTING_MEMBER
RAPPORTEUR = SpeakerRole.RAPPORTEUR

PLENARY_HALL = "Plenary Hall"
HORTA = "Horta Room"
JORDAENS = "Jordaens Room"
MEUNIER = "Meunier Room"
FOYER = "Foyer"

NETWORK_INTRO = (
    "The MPF Labour Mobility Practitioners' Network gathers over 220 members from EU and "
    "national authorities, the private sector, International Organisations, NGOs and think "
    "tanks/academia with extensive experience researching, designing, and implementing labour "
    "mobility initiatives."
)

AGENDA_DOCUMENT = DocumentSpec(
    title="Agenda",
    filename="agenda.pdf",
    description="The programme as shown on this page (sample data).",
)
