"""Word lists for synthetic people, gangs and intelligence summaries.

Names are drawn from one mixed list regardless of the person's recorded ethnicity, so
no name-ethnicity association is invented here. Gang names are composed from invented
place syllables ("Kelmere", "Quinstow") and neutral group words: they are not the names
of real gangs or real London places. Summaries are short, neutral and never mention
music (R-MUSIC).
"""

from __future__ import annotations

import numpy as np

MALE_FORENAMES = (
    "Aaron", "Abdi", "Adam", "Ade", "Ahmed", "Aiden", "Ali", "Amir", "Andre", "Anton",
    "Arjun", "Ayo", "Ben", "Bilal", "Bradley", "Callum", "Carlos", "Chidi", "Chris",
    "Connor", "Daniel", "Darius", "David", "Dean", "Dylan", "Elijah", "Emeka", "Ethan",
    "Farhan", "Femi", "Finn", "Gabriel", "George", "Hamza", "Harry", "Hassan", "Ibrahim",
    "Isaac", "Jack", "Jamal", "James", "Jamie", "Jayden", "Joel", "Jordan", "Joseph",
    "Josh", "Kai", "Kareem", "Karol", "Kevin", "Kofi", "Kwame", "Leon", "Liam", "Louis",
    "Luca", "Lucas", "Malik", "Marcus", "Mateusz", "Michael", "Mohammed", "Musa", "Nathan",
    "Nikolai", "Noah", "Omar", "Oscar", "Patrick", "Rahul", "Reece", "Rhys", "Ricardo",
    "Ryan", "Sam", "Samuel", "Sean", "Tariq", "Theo", "Tobi", "Tom", "Tyler", "Usman",
    "Victor", "Yusuf", "Zain",
)

FEMALE_FORENAMES = (
    "Aaliyah", "Abena", "Aisha", "Amara", "Amelia", "Ana", "Chloe", "Chantelle", "Ella",
    "Emily", "Fatima", "Grace", "Hana", "Imani", "Jade", "Jasmine", "Kayla", "Leah",
    "Lily", "Maria", "Maya", "Mia", "Nadia", "Naomi", "Olivia", "Precious", "Priya",
    "Ruby", "Sara", "Shanice", "Sofia", "Tia", "Zara", "Zainab",
)

SURNAMES = (
    "Abbott", "Adebayo", "Ahmed", "Ali", "Allen", "Anderson", "Asante", "Baker", "Begum",
    "Bennett", "Boateng", "Brown", "Campbell", "Chen", "Clarke", "Costa", "Cooper", "Da Silva",
    "Davies", "Diallo", "Doherty", "Edwards", "Evans", "Fernandes", "Francis", "Garcia",
    "Grant", "Green", "Gupta", "Hall", "Hassan", "Hughes", "Hussain", "Ibrahim", "James",
    "Johnson", "Jones", "Kaur", "Kelly", "Khan", "King", "Kowalski", "Lewis", "Lin",
    "Mahmood", "Martin", "Mensah", "Miah", "Mitchell", "Mohamed", "Moore", "Morgan", "Murphy",
    "Nguyen", "Novak", "Nowak", "Obi", "O'Brien", "Okafor", "Okoro", "Oliveira", "Osei",
    "Owusu", "Patel", "Pereira", "Phillips", "Popescu", "Powell", "Rahman", "Reid", "Richards",
    "Roberts", "Robinson", "Rossi", "Santos", "Scott", "Shah", "Singh", "Smith", "Stewart",
    "Taylor", "Thomas", "Thompson", "Turner", "Uddin", "Walker", "Ward", "Watson", "White",
    "Williams", "Wilson", "Wright", "Yilmaz", "Young",
)

# Invented place syllables: their compounds are not London places.
_PLACE_HEADS = (
    "Aub", "Bram", "Cal", "Dun", "Elver", "Fal", "Gar", "Hal", "Ivel", "Kel", "Lan", "Mar",
    "Nor", "Pryn", "Pel", "Quin", "Ros", "Sel", "Tarr", "Ull", "Ven", "Wex", "Yar", "Zel",
)
_PLACE_TAILS = (
    "ford", "mere", "wick", "stow", "ley", "by", "thorpe", "dene", "holt", "combe",
    "ridge", "well", "field", "brook", "moor", "vale",
)
_PLACE_PREFIXES = ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "Old ",
                   "New ")
_GROUP_WORDS = ("Crew", "Set", "Collective", "Circle", "Clique", "Lot", "Side", "Group",
                "Network", "Firm")

GANG_NAME_COMBINATIONS = (len(_PLACE_PREFIXES) * len(_PLACE_HEADS) * len(_PLACE_TAILS)
                          * len(_GROUP_WORDS))


def gang_name(index: int) -> str:
    """The index-th composed gang name (0 <= index < GANG_NAME_COMBINATIONS)."""
    index, g = divmod(index, len(_GROUP_WORDS))
    index, t = divmod(index, len(_PLACE_TAILS))
    p, h = divmod(index, len(_PLACE_HEADS))
    return f"{_PLACE_PREFIXES[p]}{_PLACE_HEADS[h]}{_PLACE_TAILS[t]} {_GROUP_WORDS[g]}"


def gang_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct names, in random order (distinct within one call)."""
    count = min(count, GANG_NAME_COMBINATIONS)
    picks = rng.choice(GANG_NAME_COMBINATIONS, size=count, replace=False)
    return [gang_name(int(i)) for i in picks]


SUMMARIES = {
    "gang_membership": (
        "Named as a member of the group by the source",
        "Seen repeatedly with established members of the group",
        "Reported to be associating with the group",
        "Self-identifies as part of the group to officers",
        "Stopped in company with members of the group",
    ),
    "weapon_access": (
        "Reported to have access to a bladed article",
        "Believed to be holding a weapon for others",
        "Reported to have been seen carrying a knife",
        "Believed to have access to a firearm",
    ),
    "violence_involvement": (
        "Reported involvement in an assault",
        "Linked by the source to a recent stabbing",
        "Reported to have taken part in a robbery",
        "Named as present at a violent disorder",
    ),
    "at_risk": (
        "Reported threat made against the subject",
        "Believed to be targeted by a rival group",
        "Reported to be exploited to carry drugs for others",
        "Subject reports feeling unsafe in the area",
    ),
}
SOCIAL_MEDIA_SUMMARIES = {
    "gang_membership": "Online post appears to show the subject with the group",
    "weapon_access": "Online post appears to show the subject holding a weapon",
    "violence_involvement": "Online post appears to celebrate a recent assault",
    "at_risk": "Online post appears to threaten the subject",
}
