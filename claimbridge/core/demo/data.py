"""The demo's cast and stories: organisations, people, debtors and case scenarios.

All companies and people here are invented; e-mail domains use the reserved
`.example` top-level domain, and phone numbers only the UK's drama range.
"""

from dataclasses import dataclass, field
from typing import Any

# One password for every demo login (the password validators do not run for
# accounts created in code).
PASSWORD = "demo-password-2026"  # noqa: S105 - a published demo password
# A fixed seed: the same organisations, debtors, amounts and stories each run.
SEED = 2026


@dataclass(frozen=True)
class OrgSpec:
    key: str
    kind: str
    name: str
    country: str
    region: str
    time_zone: str
    street: str
    city_line: str
    registration: str
    covered: tuple[str, ...] = ()
    # Clients: debtor countries they sell to, with the invoice currency.
    markets: tuple[tuple[str, str], ...] = ()
    invoice_prefix: str = ""
    bank_line: str = ""
    products: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, str], ...]
    is_staff: bool = False


@dataclass(frozen=True)
class DebtorSpec:
    country: str
    kind: str  # "company" or "person"
    name: str  # company name, or "First Last"
    street: str
    postal_code: str
    city: str
    registration: str = ""
    email: str = ""
    phone: str = ""


ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec(
        key="nordlys",
        kind="client",
        name="Nordlys Møbler ApS",
        country="DK",
        region="",
        time_zone="Europe/Copenhagen",
        street="Værkstedsvej 21",
        city_line="8600 Silkeborg",
        registration="CVR 41 52 63 74",
        markets=(
            ("DK", "DKK"),
            ("SE", "SEK"),
            ("NO", "NOK"),
            ("FI", "EUR"),
            ("DE", "EUR"),
        ),
        invoice_prefix="NM-",
        bank_line="Bank: Demo Sparekasse, IBAN DK00 0000 0000 0000 00 (demo account)",
        products=(
            ("Dining table 'Fjord', solid oak, 220 cm", 8_900, 24_500),
            ("Lounge chair 'Lyng', wool upholstery", 3_200, 7_900),
            ("Sideboard 'Skov', smoked oak", 6_400, 14_800),
            ("Bench 'Klit', ash, 160 cm", 2_100, 4_600),
            ("Delivery and assembly", 450, 1_900),
        ),
    ),
    OrgSpec(
        key="brennwerk",
        kind="client",
        name="Brennwerk GmbH",
        country="DE",
        region="BY",
        time_zone="Europe/Berlin",
        street="Am Hüttenweg 9",
        city_line="93047 Regensburg",
        registration="HRB 48213, Amtsgericht Regensburg",
        markets=(("DE", "EUR"), ("AT", "EUR"), ("CH", "CHF"), ("DK", "EUR")),
        invoice_prefix="RE-",
        bank_line="Bank: Demo Volksbank, IBAN DE00 0000 0000 0000 0000 00 (demo "
        "account)",
        products=(
            ("Wood-burning stove BW-7, steel, 7 kW", 1_450, 3_900),
            ("Pellet boiler BW-P20, 20 kW", 6_800, 11_900),
            ("Flue system, stainless, per metre", 180, 420),
            ("Installation and commissioning", 650, 1_850),
            ("Annual service contract", 240, 690),
        ),
    ),
    OrgSpec(
        key="thistle",
        kind="client",
        name="Thistle & Finch Ltd",
        country="GB",
        region="ENG",
        time_zone="Europe/London",
        street="14 Ropewalk Yard",
        city_line="Bristol BS1 5QT",
        registration="Company no. 09876543",
        markets=(("GB", "GBP"), ("NL", "EUR"), ("IE", "EUR"), ("DE", "EUR")),
        invoice_prefix="TF-",
        bank_line="Bank: Demo Bank plc, sort code 00-00-00, account 00000000 (demo "
        "account)",
        products=(
            ("Event stationery set, letterpress", 420, 1_850),
            ("Exhibition stand graphics", 1_200, 4_800),
            ("Branded notebooks, 500 pcs", 900, 2_400),
            ("Design work, hours", 65, 95),
            ("Signage and wayfinding package", 1_600, 5_200),
        ),
    ),
    OrgSpec(
        key="adler",
        kind="partner",
        name="Adler & Roth Rechtsanwälte",
        country="DE",
        region="HH",
        time_zone="Europe/Berlin",
        street="Große Elbstraße 112",
        city_line="22767 Hamburg",
        registration="Partnerschaftsregister PR 1234",
        covered=("DE", "AT", "CH"),
    ),
    OrgSpec(
        key="norrsken",
        kind="partner",
        name="Norrsken Inkasso AB",
        country="SE",
        region="",
        time_zone="Europe/Stockholm",
        street="Stora Nygatan 18",
        city_line="411 08 Göteborg",
        registration="Org.nr 559000-0000",
        covered=("DK", "SE", "NO", "FI"),
    ),
    OrgSpec(
        key="harbour",
        kind="partner",
        name="Harbour Lane Recoveries Ltd",
        country="GB",
        region="ENG",
        time_zone="Europe/London",
        street="3 Harbour Lane",
        city_line="Plymouth PL1 2AA",
        registration="Company no. 08765432",
        covered=("GB", "NL", "IE"),
    ),
    OrgSpec(
        key="platform",
        kind="platform",
        name="Claimbridge Operations",
        country="DK",
        region="",
        time_zone="Europe/Copenhagen",
        street="Havnegade 1",
        city_line="1058 København K",
        registration="",
    ),
)

PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec(
        "mette.kjaer@nordlys-moebler.example", "Mette", "Kjær", (("nordlys", "admin"),)
    ),
    PersonSpec(
        "jonas.bech@nordlys-moebler.example", "Jonas", "Bech", (("nordlys", "member"),)
    ),
    PersonSpec(
        "katrin.hofmann@brennwerk.example",
        "Katrin",
        "Hofmann",
        (("brennwerk", "admin"),),
    ),
    PersonSpec(
        "lukas.brandl@brennwerk.example", "Lukas", "Brandl", (("brennwerk", "member"),)
    ),
    PersonSpec(
        "olivia.hart@thistle-finch.example", "Olivia", "Hart", (("thistle", "admin"),)
    ),
    PersonSpec(
        "sam.whitlock@thistle-finch.example",
        "Sam",
        "Whitlock",
        (("thistle", "member"),),
    ),
    # An outside bookkeeper who works for two clients: shows the organisation switcher.
    PersonSpec(
        "sofie.lund@lund-regnskab.example",
        "Sofie",
        "Lund",
        (("nordlys", "member"), ("brennwerk", "member")),
    ),
    PersonSpec(
        "felix.adler@adler-roth.example", "Felix", "Adler", (("adler", "admin"),)
    ),
    PersonSpec("jana.roth@adler-roth.example", "Jana", "Roth", (("adler", "member"),)),
    PersonSpec(
        "erik.sandberg@norrsken.example", "Erik", "Sandberg", (("norrsken", "admin"),)
    ),
    PersonSpec("linnea.ek@norrsken.example", "Linnea", "Ek", (("norrsken", "member"),)),
    PersonSpec(
        "priya.nair@harbour-lane.example", "Priya", "Nair", (("harbour", "admin"),)
    ),
    PersonSpec(
        "tom.ashby@harbour-lane.example", "Tom", "Ashby", (("harbour", "member"),)
    ),
    PersonSpec(
        "nina.vogel@claimbridge.example",
        "Nina",
        "Vogel",
        (("platform", "admin"),),
        is_staff=True,
    ),
)

# Country, kind, name, street, postal code, city, registration, e-mail, phone.
# fmt: off
_DEBTOR_ROWS: tuple[tuple[str, ...], ...] = (
    ("DK", "company", "Havbryg Café ApS", "Nørregade 14", "8000", "Aarhus C",
     "CVR 38 21 45 67", "regnskab@havbryg.example"),
    ("DK", "company", "Skovly Interiør ApS", "Vestergade 3", "5000", "Odense C",
     "CVR 37 11 92 04", "bogholderi@skovly.example"),
    ("DK", "company", "Brostræde Hotel ApS", "Brostræde 7", "6000", "Kolding",
     "CVR 40 55 18 23", "faktura@brostraede-hotel.example"),
    ("DK", "company", "Kystlys Boliger A/S", "Strandvejen 120", "2900", "Hellerup",
     "CVR 39 02 77 41", "okonomi@kystlys.example"),
    ("DK", "person", "Asger Thorlund", "Lærkevej 8", "7100", "Vejle", "",
     "asger.t@mail.example"),
    ("DK", "person", "Birthe Klosterby", "Enghavevej 41, 2. tv", "1674", "København V"),
    ("SE", "company", "Granlunds Bygg & Snickeri AB", "Järntorget 4", "413 04",
     "Göteborg", "Org.nr 556712-3456", "ekonomi@granlunds.example"),
    ("SE", "company", "Solviken Design AB", "Davidshallsgatan 22", "211 45", "Malmö",
     "Org.nr 559123-7788", "faktura@solviken.example"),
    ("SE", "person", "Maja Lindroth", "Björkstigen 5", "752 31", "Uppsala"),
    ("NO", "company", "Fjellheim Sport AS", "Strandkaien 12", "5013", "Bergen",
     "Org.nr 998 765 432", "post@fjellheim.example"),
    ("NO", "company", "Vindfang Arkitekter AS", "Kirkegata 30", "0153", "Oslo",
     "Org.nr 987 123 654"),
    ("FI", "company", "Kuusiniemi Huonekalu Oy", "Hämeenkatu 17", "33200", "Tampere",
     "Y-tunnus 2987654-3", "laskut@kuusiniemi.example"),
    ("DE", "company", "Bergmann Holzbau GmbH", "Sägewerkstraße 4", "93309", "Kelheim",
     "HRB 12345", "buchhaltung@bergmann-holzbau.example"),
    ("DE", "company", "Café Lindenhof UG (haftungsbeschränkt)", "Lindenplatz 2",
     "04109", "Leipzig", "HRB 34567", "info@lindenhof.example"),
    ("DE", "company", "Schreinerei Vogt e.K.", "Kartäuserstraße 51", "79102",
     "Freiburg im Breisgau", "HRA 7890"),
    ("DE", "company", "Ostwind Ferienhäuser GmbH", "Am Strom 77", "18119", "Rostock",
     "HRB 23456", "verwaltung@ostwind.example"),
    ("DE", "person", "Tobias Wendling", "Gartenstraße 19", "72074", "Tübingen", "",
     "t.wendling@post.example"),
    ("DE", "person", "Sabine Kürschner", "Am Anger 3", "99084", "Erfurt"),
    ("AT", "company", "Alpenblick Hotelbetriebs GmbH", "Höttinger Au 40", "6020",
     "Innsbruck", "FN 123456a", "office@alpenblick.example"),
    ("AT", "person", "Florian Hasenbichler", "Linzer Gasse 12", "5020", "Salzburg"),
    ("CH", "company", "Seeblick Gastro AG", "Haldenstrasse 8", "6006", "Luzern",
     "CHE-123.456.789", "buchhaltung@seeblick.example"),
    ("CH", "company", "Atelier Rüegg GmbH", "Zweierstrasse 101", "8003", "Zürich",
     "CHE-987.654.321"),
    ("GB", "company", "Pennywhistle Interiors Ltd", "27 Gloucester Road", "BS7 8AA",
     "Bristol", "Company no. 11223344", "accounts@pennywhistle.example",
     "+44 117 496 0123"),
    ("GB", "company", "Copperbeech Events Ltd", "5 Micklegate", "YO1 6JH", "York",
     "Company no. 10293847", "finance@copperbeech.example", "+44 20 7946 0321"),
    ("GB", "person", "Daniel Ferncliffe", "12 Orchard Close", "OX4 1AB", "Oxford", "",
     "", "+44 20 7946 0958"),
    ("NL", "company", "De Groene Tafel B.V.", "Oudegracht 210", "3511 NR", "Utrecht",
     "KvK 71234567", "administratie@groenetafel.example"),
    ("NL", "company", "Studio Vonk B.V.", "Witte de Withstraat 55", "3012 BN",
     "Rotterdam", "KvK 69876543"),
    ("IE", "company", "Clonmore Craft Ltd", "Unit 4, Dock Road", "H91 X2Y3", "Galway",
     "CRO 654321", "accounts@clonmore.example"),
)
# fmt: on
DEBTORS: tuple[DebtorSpec, ...] = tuple(DebtorSpec(*row) for row in _DEBTOR_ROWS)


@dataclass(frozen=True)
class Step:
    """One thing that happens on a case, `day` days after it was submitted.

    `do` is "message", "upload" or "status"; `side` is "client" or "partner".
    For "status": `to`, and as needed `reason`, `close_code`, `comment`,
    `recovered` ("full" or a fraction of the outstanding amount, as text) and
    `confirmed`. `docs` are (document kind, title) pairs of letters to attach.
    Texts may use {debtor}, {invoice}, {amount}, {client} and {partner}.
    """

    day: float
    do: str
    side: str
    text: str = ""
    to: str = ""
    reason: str = ""
    close_code: str = ""
    comment: str = ""
    recovered: str = ""
    confirmed: bool = False
    docs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    count: int
    # How long ago the case was submitted, in days (range for the random pick).
    age: tuple[float, float]
    steps: tuple[Step, ...] = ()
    case: dict[str, Any] = field(default_factory=dict)


ACCEPT = (
    "Thank you, case accepted. Our first demand letter goes to {debtor} today with a "
    "14-day payment deadline."
)

SCENARIOS: tuple[Scenario, ...] = (
    # --- pending verification -------------------------------------------
    Scenario("new", 4, (0.1, 3.0)),
    Scenario(
        "new_with_note",
        2,
        (1.0, 4.0),
        (
            Step(
                0.2,
                "message",
                "client",
                "Additional note: {debtor} changed their bookkeeper last month. "
                "Attached is our last reminder, which they confirmed receiving by "
                "e-mail.",
                docs=(("correspondence", "Payment reminder"),),
            ),
        ),
    ),
    # --- more info required ---------------------------------------------
    Scenario(
        "info_requested",
        3,
        (2.0, 12.0),
        (
            Step(
                0.8,
                "status",
                "partner",
                "Before we start we need the signed order confirmation for invoice "
                "{invoice} and copies of the reminders you sent. Please upload them "
                "here.",
                to="more_info_required",
            ),
        ),
    ),
    Scenario(
        "active_then_info",
        2,
        (20.0, 40.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                8.0,
                "message",
                "partner",
                "{debtor} called us after the demand letter. They do not deny the "
                "invoice but say part of the delivery was late.",
            ),
            Step(
                15.0,
                "status",
                "partner",
                "{debtor} now disputes the delivery date in writing. Please upload "
                "the delivery note or any proof of when the goods arrived.",
                to="more_info_required",
            ),
        ),
    ),
    # --- active ---------------------------------------------------------
    Scenario(
        "accepted",
        3,
        (5.0, 60.0),
        (Step(1.0, "status", "partner", ACCEPT, to="active"),),
    ),
    Scenario(
        "accepted_chat",
        4,
        (20.0, 80.0),
        (
            Step(0.9, "status", "partner", ACCEPT, to="active"),
            Step(
                6.0,
                "message",
                "partner",
                "{debtor} acknowledged the claim by phone and asks to pay {amount} "
                "in three monthly instalments. Do you agree?",
            ),
            Step(
                6.3,
                "message",
                "client",
                "Yes, three instalments are fine if the first one is paid this month.",
            ),
            Step(
                12.0,
                "message",
                "partner",
                "Payment plan signed; the first instalment is due on the 28th. We "
                "will report when it arrives.",
                docs=(("correspondence", "Payment plan agreement"),),
            ),
        ),
    ),
    Scenario(
        "info_answered_by_upload",
        3,
        (10.0, 70.0),
        (
            Step(
                1.0,
                "status",
                "partner",
                "To start we need the contract or signed order confirmation behind "
                "invoice {invoice}, and proof of delivery.",
                to="more_info_required",
            ),
            Step(
                2.5,
                "upload",
                "client",
                docs=(
                    ("contract", "Order confirmation"),
                    ("proof_of_delivery", "Delivery note"),
                ),
            ),
            Step(
                2.6,
                "message",
                "client",
                "Uploaded the signed order confirmation and the delivery note signed "
                "at {debtor}'s goods reception.",
            ),
            Step(
                3.0,
                "status",
                "partner",
                "Thank you, that is sufficient. Case accepted; the demand letter "
                "goes out today.",
                to="active",
            ),
        ),
    ),
    Scenario(
        "paused_then_resumed",
        2,
        (40.0, 90.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                10.0,
                "status",
                "partner",
                to="paused",
                reason="The debtor applied for restructuring; waiting for the "
                "court's decision.",
            ),
            Step(
                30.0,
                "status",
                "partner",
                "The court rejected the restructuring application, so we resume "
                "collection.",
                to="active",
            ),
            Step(
                31.0,
                "message",
                "client",
                "Thanks for the update. Please keep us posted.",
            ),
        ),
    ),
    # --- paused ---------------------------------------------------------
    Scenario(
        "paused",
        5,
        (20.0, 70.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                7.0,
                "message",
                "partner",
                "{debtor} answered our letter and proposes a payment plan. We are "
                "negotiating the terms.",
            ),
            Step(
                14.0,
                "status",
                "partner",
                to="paused",
                reason="Payment plan agreed; paused until the first instalment is due.",
            ),
        ),
    ),
    # --- closed ---------------------------------------------------------
    Scenario(
        "paid_in_full",
        3,
        (40.0, 150.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                9.0,
                "message",
                "partner",
                "{debtor} has promised to pay the full amount by Friday.",
            ),
            Step(
                16.0,
                "status",
                "partner",
                "{debtor} paid {amount} in full. We will transfer it, less our fee, "
                "with this month's statement.",
                to="closed",
                close_code="paid_in_full",
                recovered="full",
            ),
        ),
    ),
    Scenario(
        "partially_paid",
        2,
        (60.0, 150.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                30.0,
                "message",
                "partner",
                "{debtor} offers 55% of {amount} as a final settlement and says they "
                "cannot pay more. Do you accept?",
            ),
            Step(
                31.0,
                "message",
                "client",
                "We accept the settlement. Please close the case once the money is in.",
            ),
            Step(
                40.0,
                "status",
                "partner",
                "Settlement payment received.",
                to="closed",
                close_code="partially_paid",
                recovered="0.55",
                comment="Settled at 55% as agreed with the client.",
            ),
        ),
    ),
    Scenario(
        "withdrawn_before_start",
        1,
        (10.0, 100.0),
        (
            Step(
                0.5,
                "status",
                "client",
                "Please do not start: {debtor} paid directly to us this morning.",
                to="closed",
            ),
        ),
    ),
    Scenario(
        "withdrawn_while_active",
        1,
        (20.0, 100.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                12.0,
                "status",
                "client",
                "{debtor} is a long-standing customer and our sales director has "
                "agreed a solution with them. Please stop all collection activity.",
                to="closed",
                confirmed=True,
            ),
        ),
    ),
    Scenario(
        "declined_never_started",
        1,
        (15.0, 120.0),
        (
            Step(
                0.7,
                "status",
                "partner",
                to="closed",
                close_code="never_started",
                comment="{debtor} is already in insolvency proceedings known to us; "
                "collection would only add costs. Please file the claim with the "
                "administrator.",
            ),
        ),
    ),
    Scenario(
        "declined_invalid_data",
        1,
        (15.0, 120.0),
        (
            Step(
                1.0,
                "status",
                "partner",
                to="closed",
                close_code="invalid_case_data",
                comment="The registration number belongs to another company and the "
                "name does not match the invoice. Please submit the case again with "
                "correct debtor details.",
            ),
        ),
    ),
    Scenario(
        "debtor_insolvent",
        1,
        (40.0, 150.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                20.0,
                "message",
                "partner",
                "Insolvency proceedings against {debtor} were opened yesterday. We "
                "will file your claim with the administrator.",
            ),
            Step(
                25.0,
                "status",
                "partner",
                to="closed",
                close_code="debtor_insolvent",
                comment="Claim of {amount} filed with the insolvency administrator.",
            ),
        ),
    ),
    Scenario(
        "debtor_untraceable",
        1,
        (60.0, 150.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                14.0,
                "status",
                "partner",
                "Our letters to {debtor} came back undelivered. Do you have another "
                "address, phone number or e-mail?",
                to="more_info_required",
            ),
            Step(
                16.0,
                "message",
                "client",
                "No other address, sorry. The last contact was by e-mail in the "
                "spring.",
            ),
            Step(
                17.0, "status", "partner", "We will try an address search.", to="active"
            ),
            Step(
                40.0,
                "status",
                "partner",
                to="closed",
                close_code="debtor_untraceable",
                comment="No current address found in the registers.",
            ),
        ),
    ),
    Scenario(
        "uneconomical",
        1,
        (40.0, 150.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                30.0,
                "status",
                "partner",
                to="closed",
                close_code="uneconomical",
                comment="Enforcement costs would exceed the claim; the debtor has no "
                "attachable assets.",
            ),
        ),
    ),
    Scenario(
        "legal_action_declined",
        1,
        (40.0, 150.0),
        (
            Step(1.0, "status", "partner", ACCEPT, to="active"),
            Step(
                20.0,
                "message",
                "partner",
                "{debtor} maintains the dispute. Court action would cost roughly 20% "
                "of {amount} in advance. Shall we sue?",
            ),
            Step(
                22.0, "message", "client", "No, we do not want to go to court for this."
            ),
            Step(
                23.0,
                "status",
                "partner",
                to="closed",
                close_code="legal_action_declined",
                comment="Client decided against court action.",
            ),
        ),
        case={
            "dispute_state": "disputed",
            "dispute_reason": "The debtor says two items arrived damaged.",
        },
    ),
)


def organisation_names() -> list[str]:
    return [spec.name for spec in ORGANISATIONS]
