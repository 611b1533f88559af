"""Reference lists for the scale-data generator (bench/scale.py).

Names are weighted roughly like the US population: surnames after the 2010
census counts (thousands of people), first names by a falling popularity
curve, a long tail of rarer surnames built from syllables. No tab, newline or
backslash anywhere (the generator writes COPY text format without escaping).
"""

from __future__ import annotations

from cases.models import ChargeClass


def _words(text: str) -> list[str]:
    return text.split()


F1, F2, F3 = ChargeClass.FELONY_1, ChargeClass.FELONY_2, ChargeClass.FELONY_3
MA, MB, MC = ChargeClass.MISDEMEANOR_A, ChargeClass.MISDEMEANOR_B, ChargeClass.MISDEMEANOR_C
INF = ChargeClass.INFRACTION

# (surname, census count in thousands); Hispanic surnames flagged by HISPANIC_SURNAMES.
SURNAMES = [
    ("Smith", 2442), ("Johnson", 1932), ("Williams", 1625), ("Brown", 1437), ("Jones", 1425),
    ("Garcia", 1166), ("Miller", 1161), ("Davis", 1116), ("Rodriguez", 1094), ("Martinez", 1060),
    ("Hernandez", 1043), ("Lopez", 874), ("Gonzalez", 841), ("Wilson", 801), ("Anderson", 784),
    ("Thomas", 756), ("Taylor", 751), ("Moore", 724), ("Jackson", 708), ("Martin", 702),
    ("Lee", 693), ("Perez", 681), ("Thompson", 664), ("White", 660), ("Harris", 624),
    ("Sanchez", 612), ("Clark", 562), ("Ramirez", 557), ("Lewis", 531), ("Robinson", 529),
    ("Walker", 523), ("Young", 484), ("Allen", 482), ("King", 465), ("Wright", 458),
    ("Scott", 439), ("Torres", 437), ("Nguyen", 437), ("Hill", 434), ("Flores", 433),
    ("Green", 430), ("Adams", 427), ("Nelson", 424), ("Baker", 419), ("Hall", 407),
    ("Rivera", 405), ("Campbell", 371), ("Mitchell", 367), ("Carter", 362), ("Roberts", 360),
    ("Gomez", 345), ("Phillips", 337), ("Evans", 334), ("Turner", 330), ("Diaz", 325),
    ("Parker", 324), ("Cruz", 322), ("Edwards", 317), ("Collins", 316), ("Reyes", 312),
    ("Stewart", 311), ("Morris", 303), ("Morales", 300), ("Murphy", 300), ("Cook", 294),
    ("Rogers", 294), ("Gutierrez", 282), ("Ortiz", 281), ("Morgan", 276), ("Cooper", 271),
    ("Peterson", 270), ("Bailey", 266), ("Reed", 266), ("Kelly", 263), ("Howard", 262),
    ("Ramos", 260), ("Kim", 260), ("Cox", 256), ("Ward", 255), ("Richardson", 250),
    ("Watson", 243), ("Brooks", 241), ("Chavez", 239), ("Wood", 238), ("James", 237),
    ("Bennett", 231), ("Gray", 231), ("Mendoza", 230), ("Ruiz", 229), ("Hughes", 228),
    ("Price", 227), ("Alvarez", 225), ("Castillo", 222), ("Sanders", 221), ("Patel", 220),
    ("Myers", 218), ("Long", 218), ("Ross", 214), ("Foster", 212), ("Jimenez", 210),
    ("Powell", 210), ("Jenkins", 205), ("Perry", 205), ("Russell", 204), ("Sullivan", 204),
    ("Bell", 202), ("Coleman", 201), ("Butler", 200), ("Henderson", 199), ("Barnes", 198),
    ("Gonzales", 196), ("Fisher", 195), ("Vasquez", 193), ("Simmons", 192), ("Romero", 190),
    ("Jordan", 190), ("Patterson", 188), ("Alexander", 187), ("Hamilton", 186), ("Graham", 185),
    ("Reynolds", 184), ("Griffin", 183), ("Wallace", 182), ("Moreno", 181), ("West", 180),
    ("Cole", 179), ("Hayes", 178), ("Bryant", 177), ("Herrera", 176), ("Gibson", 175),
    ("Ellis", 174), ("Tran", 173), ("Medina", 172), ("Aguilar", 171), ("Stevens", 170),
    ("Murray", 169), ("Ford", 168), ("Castro", 167), ("Marshall", 166), ("Owens", 165),
    ("Harrison", 164), ("Fernandez", 163), ("McDonald", 162), ("Woods", 161), ("Washington", 160),
    ("Kennedy", 159), ("Wells", 158), ("Vargas", 157), ("Henry", 156), ("Chen", 155),
    ("Freeman", 154), ("Webb", 153), ("Tucker", 152), ("Guzman", 151), ("Burns", 150),
    ("Crawford", 149), ("Olson", 148), ("Simpson", 147), ("Porter", 146), ("Hunter", 145),
    ("Gordon", 144), ("Mendez", 143), ("Silva", 142), ("Shaw", 141), ("Snyder", 140),
    ("Mason", 139), ("Dixon", 138), ("Munoz", 137), ("Hunt", 136), ("Hicks", 135),
    ("Holmes", 134), ("Palmer", 133), ("Wagner", 132), ("Black", 131), ("Robertson", 130),
    ("Boyd", 129), ("Rose", 128), ("Stone", 127), ("Salazar", 126), ("Fox", 125),
    ("Warren", 124), ("Mills", 123), ("Meyer", 122), ("Rice", 121), ("Schmidt", 120),
    ("Garza", 119), ("Daniels", 118), ("Ferguson", 117), ("Nichols", 116), ("Stephens", 115),
    ("Soto", 114), ("Weaver", 113), ("Ryan", 112), ("Gardner", 111), ("Payne", 110),
    ("Grant", 109), ("Dunn", 108), ("Kelley", 107), ("Spencer", 106), ("Hawkins", 105),
    ("Arnold", 104), ("Pierce", 103), ("Vazquez", 102), ("Hansen", 101), ("Peters", 100),
    ("Santos", 99), ("Hart", 98), ("Bradley", 97), ("Knight", 96), ("Elliott", 95),
    ("Cunningham", 94), ("Duncan", 93), ("Armstrong", 92), ("Hudson", 91), ("Carroll", 90),
    ("Lane", 89), ("Riley", 88), ("Andrews", 87), ("Alvarado", 86), ("Ray", 85),
    ("Delgado", 84), ("Berry", 83), ("Perkins", 82), ("Hoffman", 81), ("Johnston", 80),
    ("Matthews", 79), ("Pena", 78), ("Richards", 77), ("Contreras", 76), ("Willis", 75),
    ("Carpenter", 74), ("Lawrence", 73), ("Sandoval", 72), ("Muñoz", 40), ("Peña", 40),
    ("Núñez", 35), ("De La Cruz", 60), ("Del Valle", 25), ("O'Brien", 70), ("St. Pierre", 12),
]  # fmt: skip

HISPANIC_SURNAMES = frozenset(
    _words(
        """Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores
    Rivera Gomez Diaz Cruz Reyes Morales Gutierrez Ortiz Ramos Chavez Mendoza Ruiz Alvarez
    Castillo Jimenez Vasquez Romero Moreno Herrera Medina Aguilar Castro Fernandez Vargas Guzman
    Mendez Silva Munoz Salazar Garza Soto Vazquez Santos Alvarado Delgado Pena Contreras
    Sandoval Muñoz Peña Núñez"""
    )
) | {"De La Cruz", "Del Valle"}

# Long tail: onset + link + ending, e.g. "Halberg", "Tarrino", "Wescott".
TAIL_ONSETS = _words("""Al Ash Bar Bel Bran Brock Cal Car Cor Dal Dun El Fal Fen Gar Gil Hal Har Hol
    Kel Kin Lan Mar Mel Nor Pel Ram Ros Sal Sher Stan Tal Ter Val War Wes Whit Win Ald Bur
    Cas Dor Esc Gal Lar Mon Ort Pad Quin Rom Sol Var Vil Zam Ab Bas Mac Mc Fitz Van Ber Kow
    Lin Nov Pet Sch Stro Web Yar Zel""")
TAIL_LINKS = ["", "", "a", "e", "i", "o", "en", "er", "in", "an", "ar", "el"]
TAIL_ENDINGS = _words("""ley son ton man berg ski ez ini ford well ard ick ett ow ing wood field by
    stein quist ovich elli ado ero ino sen dale more worth ham land ridge croft ner ter ros
    eda osa uela""")

MALE_FIRST = _words(
    """James Michael Robert John David William Richard Joseph Thomas Christopher Charles
    Daniel Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian Timothy
    Ronald George Jason Edward Jeffrey Ryan Jacob Nicholas Gary Eric Jonathan Stephen Larry
    Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis
    Jerry Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy
    Christian Walter Keith Austin Roger Terry Sean Gerald Carl Dylan Harold Jordan Jesse Bryan
    Lawrence Arthur Gabriel Bruce Logan Juan Albert Willie Elijah Wayne Randy Vincent Mason
    Roy Ralph Bobby Russell Bradley Philip Eugene Luis Carlos Miguel Jorge Jesus Alejandro
    Francisco Antonio Pedro Manuel Ricardo Fernando Javier Roberto Eduardo Rafael Raul Ramon
    Hector Mario Sergio Victor Angel Diego Mateo Santiago Andres Oscar Marcus Tyrone Jamal
    DeShawn Darnell Malik Andre Terrell Cedric Hung Minh Raj"""
)
FEMALE_FIRST = _words(
    """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa
    Nancy Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa
    Deborah Stephanie Dorothy Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley Brenda
    Emma Anna Pamela Nicole Samantha Katherine Christine Helen Debra Rachel Carolyn Janet
    Maria Heather Catherine Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren Kelly
    Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa
    Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace
    Amber Denise Danielle Marilyn Beverly Charlotte Natalie Theresa Diana Brittany Doris Kayla
    Alexis Lori Tiffany Guadalupe Rosa Ana Carmen Sofia Isabel Lucia Gabriela Veronica Adriana
    Alejandra Yesenia Marisol Leticia Claudia Daniela Valeria Ximena Juana Esperanza Keisha
    Latoya Ebony Tamika Aaliyah Jasmine Imani Thu Linh Priya"""
)
HISPANIC_MALE_FIRST = _words(
    """Jose Juan Luis Carlos Miguel Jorge Jesus Alejandro Francisco Antonio Pedro
    Manuel Ricardo Fernando Javier Roberto Eduardo Rafael Raul Ramon Hector Mario Sergio Victor
    Angel Diego Mateo Santiago Andres Oscar Daniel David Alberto Enrique Arturo"""
)
HISPANIC_FEMALE_FIRST = _words(
    """Maria Guadalupe Rosa Ana Carmen Sofia Isabel Lucia Gabriela Veronica
    Adriana Alejandra Yesenia Marisol Leticia Claudia Daniela Valeria Ximena Juana Esperanza
    Elena Patricia Laura Mariana Beatriz Silvia"""
)
MIDDLE_INITIALS = list("ABCDEFGHJKLMNPRSTW")
SUFFIXES = [("Jr", 20), ("Sr", 5), ("II", 4), ("III", 3)]

# Big repeat litigants (creditors, insurers, agencies), by court; then a synthetic tail.
CREDITORS = [
    "Midland Credit Management, Inc.", "Portfolio Recovery Associates, LLC",
    "Capital One Bank (USA), N.A.", "Discover Bank", "LVNV Funding LLC", "Cavalry SPV I, LLC",
    "Synchrony Bank", "Citibank, N.A.", "Bank of America, N.A.", "Wells Fargo Bank, N.A.",
    "JPMorgan Chase Bank, N.A.", "American Express National Bank", "Ally Financial Inc.",
    "Santander Consumer USA Inc.", "Credit Acceptance Corporation", "U.S. Bank N.A.",
    "Nationstar Mortgage LLC", "Lakeview Loan Servicing, LLC", "Westlake Services LLC",
    "State Farm Mutual Automobile Insurance Company", "GEICO General Insurance Company",
    "Progressive American Insurance Company", "OneMain Financial Group, LLC",
]  # fmt: skip
LOCAL_ORGS = {
    "sarasota": [
        "Suncoast Credit Union", "Sarasota Memorial Hospital", "Gulf Coast Property Management LLC",
        "Bayfront Apartments LLC", "Citizens Property Insurance Corporation",
        "Sarasota County School Board", "Venice Regional Bayfront Health",
    ],
    "denver": [
        "Mile High Auto Finance, Inc.", "Rocky Mountain Landlords LLC",
        "Denver Health Medical Center", "Bellco Credit Union", "City and County of Denver",
        "Ent Credit Union",
        "Cherry Creek Property Management LLC",
    ],
}  # fmt: skip
AGENCIES = {
    "sarasota": {
        "child": "Department of Children and Families",
        "support": "State of Florida Department of Revenue",
    },
    "denver": {
        "child": "Denver Department of Human Services",
        "support": "Denver Child Support Services",
    },
}
ORG_PLACES = {
    "sarasota": """Gulf Coast|Suncoast|Siesta Key|Palmer Ranch|Lakewood Ranch|Bee Ridge|Venice
        |Englewood|Osprey|Nokomis|North Port|Myakka|Longboat|Bayfront|Gulf Gate|Southgate""",
    "denver": """Mile High|Front Range|Cherry Creek|Highlands|Capitol Hill|Aurora|Platte River
        |Colfax|Five Points|Washington Park|Lakewood|Stapleton|Sloan Lake|Golden Triangle
        |Englewood|Union Station""",
}
ORG_TRADES = """Apartments|Property Management|Auto Sales|Roofing|Plumbing|Dental Group
    |Medical Associates|Towing|Construction|Realty|Holdings|Landscaping|Pest Control
    |Air Conditioning|Insurance Agency|Self Storage|Motors|Pools|Electric|Fitness
    |Veterinary Clinic|Urgent Care|Restaurant Group|Marine|Furniture|Collision Center"""
ORG_FORMS = ["LLC", "Inc.", "Corp.", "LLP", "Co.", "P.A.", "Group LLC", "Partners, Ltd."]

CITIES = {
    # (city, weight, ZIP codes)
    "sarasota": [
        ("Sarasota", 50, [34231, 34232, 34233, 34234, 34235, 34236, 34237, 34238, 34239, 34243]),
        ("North Port", 18, [34286, 34287, 34288, 34289, 34291]),
        ("Venice", 14, [34285, 34292, 34293]),
        ("Englewood", 7, [34223, 34224]),
        ("Osprey", 4, [34229]),
        ("Nokomis", 4, [34275]),
        ("Bradenton", 3, [34203, 34205, 34207]),
    ],
    "denver": [
        ("Denver", 70, [80202, 80203, 80204, 80205, 80206, 80207, 80209, 80210, 80211, 80212,
                        80216, 80218, 80219, 80220, 80222, 80223, 80224, 80227, 80231, 80239]),
        ("Aurora", 14, [80010, 80011, 80012, 80013, 80014, 80015]),
        ("Lakewood", 7, [80226, 80227, 80228]),
        ("Englewood", 4, [80110, 80113]),
        ("Commerce City", 3, [80022]),
        ("Arvada", 2, [80002, 80003]),
    ],
}  # fmt: skip
STREETS = {
    "sarasota": """Main St|Fruitville Rd|Bee Ridge Rd|Tamiami Trl|Osprey Ave|Siesta Dr
        |Clark Rd|Beneva Rd|McIntosh Rd|Cattlemen Rd|Honore Ave|Proctor Rd|Stickney Point Rd
        |Venice Ave|Jacaranda Blvd|River Rd|Price Blvd|Tuttle Ave|Orange Ave|Ringling Blvd
        |Palmer Blvd|Webber St|Hillview St|Laurel Rd|Englewood Rd|Pine St|Gulf Dr|Bahia Vista St""",
    "denver": """Colfax Ave|Broadway|Federal Blvd|Speer Blvd|Colorado Blvd|Alameda Ave
        |Evans Ave|Hampden Ave|Sheridan Blvd|Quebec St|Monaco Pkwy|York St|Downing St
        |Santa Fe Dr|Logan St|Washington St|Lincoln St|Zuni St|Tejon St|Lowell Blvd|Holly St
        |Yale Ave|Mississippi Ave|Jewell Ave|Havana St|Peoria St|Chambers Rd|Iliff Ave""",
}
AREA_CODES = {"sarasota": ["941"], "denver": ["303", "720"]}
TIME_ZONES = {"sarasota": "America/New_York", "denver": "America/Denver"}
BAR_STATES = {"sarasota": "FL", "denver": "CO"}
LAW_FIRMS = [
    "Office of the Public Defender", "Office of the Public Defender", "Regional Counsel",
    "{last} & {last2}, P.A.", "{last} Law Group", "Law Office of {first} {last}",
    "{last}, {last2} & {last3}, LLP", "{last} Legal, PLLC", "Legal Aid Society",
]  # fmt: skip

STATUTES = {
    # (statute, text, class) per court and kind: felony, misdemeanor, traffic.
    "sarasota": {
        "felony": [
            ("812.014(2)(c)", "Grand theft, third degree", F3),
            ("893.13(6)(a)", "Possession of a controlled substance", F3),
            ("810.02(3)", "Burglary of a dwelling", F2),
            ("784.021(1)(a)", "Aggravated assault with a deadly weapon", F3),
            ("316.1935(2)", "Fleeing or attempting to elude", F3),
            ("784.045(1)(a)", "Aggravated battery", F2),
            ("812.13(2)(c)", "Robbery", F2),
            ("893.135(1)(c)", "Trafficking in opioids", F1),
            ("790.23(1)", "Possession of a firearm by a convicted felon", F2),
            ("817.568(2)(a)", "Fraudulent use of personal identification information", F3),
            ("812.019(1)", "Dealing in stolen property", F2),
        ],
        "misdemeanor": [
            ("784.03(1)(a)", "Battery", MA),
            ("843.02", "Resisting an officer without violence", MA),
            ("812.014(3)(a)", "Petit theft", MB),
            ("893.13(6)(b)", "Possession of cannabis, 20 grams or less", MA),
            ("856.011", "Disorderly intoxication", MB),
            ("806.13(1)(b)1", "Criminal mischief", MB),
            ("810.09(1)", "Trespass on property other than a structure", MA),
            ("741.31(4)(a)", "Violation of an injunction for protection", MA),
            ("877.03", "Breach of the peace", MB),
            ("316.2045", "Obstruction of traffic", MC),
        ],
        "traffic": [
            ("316.193(1)", "Driving under the influence", MB),
            ("322.34(2)", "Driving while license suspended", MB),
            ("316.192(1)", "Reckless driving", MB),
            ("316.061(1)", "Leaving the scene of a crash involving damage", MB),
            ("322.03(1)", "Driving without a valid license", MB),
            ("316.183(2)", "Unlawful speed", INF),
            ("316.075(1)(c)1", "Failure to stop at a steady red signal", INF),
            ("316.646(1)", "Failure to provide proof of insurance", INF),
        ],
    },
    "denver": {
        "felony": [
            ("18-4-401(1)", "Theft", F3),
            ("18-4-203", "Second degree burglary", F2),
            ("18-3-203(1)(b)", "Assault in the second degree", F2),
            ("18-18-403.5", "Possession of a controlled substance", F3),
            ("18-4-409", "Aggravated motor vehicle theft", F3),
            ("18-12-108", "Possession of a weapon by a previous offender", F3),
            ("18-4-302", "Aggravated robbery", F1),
            ("18-5-902", "Identity theft", F3),
        ],
        "misdemeanor": [
            ("18-3-204(1)(a)", "Assault in the third degree", MA),
            ("18-9-106", "Disorderly conduct", MB),
            ("18-4-501", "Criminal mischief", MB),
            ("18-4-502", "First degree criminal trespass", MA),
            ("18-8-104", "Obstructing a peace officer", MA),
            ("18-6-803.5", "Violation of a protection order", MA),
            ("18-4-401(1)(b)", "Theft, under $300", MB),
            ("18-9-111", "Harassment", MC),
        ],
        "traffic": [
            ("42-4-1301(1)(a)", "Driving under the influence", MA),
            ("42-2-138(1)(a)", "Driving under restraint", MB),
            ("42-4-1401", "Reckless driving", MB),
            ("42-4-1402", "Careless driving", MB),
            ("42-4-1601", "Leaving the scene of an accident", MB),
            ("42-4-1409", "No proof of insurance", MB),
            ("42-4-1101(8)(b)", "Speeding, 10 to 19 mph over the limit", INF),
            ("42-4-604", "Failure to stop at a red signal", INF),
        ],
    },
}

# Filler entries of the register of actions, by category: (code, text, confidentiality).
# {d} is the first defendant's / respondent's display name.
FILLER = {
    "criminal": [
        ("HRGS", "Hearing set: arraignment.", "public"),
        ("NOTC", "Notice of arraignment issued.", "public"),
        ("ORDR", "Order appointing the Public Defender.", "public"),
        ("MOTN", "Motion to continue filed by the Defendant.", "public"),
        ("ORDR", "Order granting continuance.", "public"),
        ("HRGS", "Hearing set: pretrial conference.", "public"),
        ("MOTN", "Demand for discovery filed.", "public"),
        ("NOTC", "Notice of discovery filed by the State.", "public"),
        ("ORDR", "Order on pretrial release conditions.", "public"),
        ("NOTC", "Presentence investigation report filed.", "confidential"),
    ],
    "traffic": [
        ("HRGS", "Hearing set: arraignment.", "public"),
        ("NOTC", "Notice to appear issued.", "public"),
        ("MOTN", "Motion to continue filed by the Defendant.", "public"),
        ("ORDR", "Order granting continuance.", "public"),
        ("NOTC", "Driving record filed.", "public"),
    ],
    "civil": [
        ("SRVC", "Summons returned served on {d}.", "public"),
        ("ANSW", "Answer and affirmative defenses filed by {d}.", "public"),
        ("MOTN", "Motion for default filed.", "public"),
        ("ORDR", "Order setting case management conference.", "public"),
        ("HRGS", "Hearing set: case management conference.", "public"),
        ("NOTC", "Notice of hearing issued.", "public"),
        ("MOTN", "Motion for summary judgment filed.", "public"),
        ("RESP", "Response in opposition to motion filed.", "public"),
        ("ORDR", "Order referring case to mediation.", "public"),
    ],
    "domestic": [
        ("SRVC", "Summons returned served on {d}.", "public"),
        ("ANSW", "Answer to petition filed.", "public"),
        ("MOTN", "Motion for temporary relief filed.", "public"),
        ("ORDR", "Order of referral to mediation.", "public"),
        ("HRGS", "Hearing set: final hearing.", "public"),
        ("NOTC", "Financial affidavit filed.", "confidential"),
        ("NOTC", "Parenting plan filed.", "public"),
    ],
    "juvenile": [
        ("HRGS", "Hearing set: shelter hearing.", "public"),
        ("ORDR", "Shelter order entered.", "public"),
        ("NOTC", "Case plan filed.", "confidential"),
        ("HRGS", "Hearing set: judicial review.", "public"),
        ("NOTC", "Guardian ad litem report filed.", "confidential"),
    ],
    "mental_health": [
        ("ORDR", "Order appointing examining committee.", "public"),
        ("NOTC", "Examining committee report filed.", "confidential"),
        ("HRGS", "Hearing set: capacity hearing.", "public"),
        ("ORDR", "Order on petition entered.", "public"),
    ],
}
SEALED_FILLER = ("NOTC", "Sealed document filed.", "sealed")
