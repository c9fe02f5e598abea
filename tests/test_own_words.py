"""The client's own words, spoken from the listener's side: a table of what therapists type.

Each row is an input as a therapist writes it in session and the exact key lines a client
hears: the first mention, a later mention, and the line where the image or place meets
them ("flowing from … to you", "… is glad you are here").
"""

from __future__ import annotations

import pytest

from cft_audio.cli import main
from cft_audio.resources import scripts_dir
from cft_audio.script.nouns import noun_phrase
from cft_audio.script.vocabulary import load_vocabulary
from cft_audio.script.wording import agree, to_listener
from tests.scripting import written

VOCABULARY = load_vocabulary(scripts_dir())

IMAGES = [
    ('my nan', ('Today, you might imagine your nan, with her own quiet wisdom, strength and warmth.', 'Imagine that your nan is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your nan to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my late father', ('Today, you might imagine your late father, with his own quiet wisdom, strength and warmth.', 'Imagine that your late father is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your late father to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('Jesus', ('Today, you might imagine Jesus, with his own quiet wisdom, strength and warmth.', 'Imagine that Jesus is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Jesus to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('a wise old owl', ('Today, you might imagine a wise old owl, with its own quiet strength and warmth.', 'Imagine that the owl knows how hard life can be.', 'Now imagine compassion flowing from the owl to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my dog Max', ('Today, you might imagine your dog Max, with their own quiet wisdom, strength and warmth.', 'Imagine that Max is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Max to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('the Buddha', ('Today, you might imagine the Buddha, with his own quiet wisdom, strength and warmth.', 'Imagine that the Buddha is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the Buddha to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('Mother Mary', ('Today, you might imagine Mother Mary, with her own quiet wisdom, strength and warmth.', 'Imagine that Mother Mary is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Mother Mary to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('Kuan Yin', ('Today, you might imagine Kuan Yin, with her own quiet wisdom, strength and warmth.', 'Imagine that Kuan Yin is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Kuan Yin to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my mum and dad', ('Today, you might imagine your mum and dad, with their own quiet wisdom, strength and warmth.', 'Imagine that your mum and dad are wise, and understand how hard life can be.', 'Now imagine compassion flowing from your mum and dad to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('Aroha', ('Today, you might imagine Aroha, with their own quiet wisdom, strength and warmth.', 'Imagine that Aroha is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Aroha to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('Siobhán', ('Today, you might imagine Siobhán, with their own quiet wisdom, strength and warmth.', 'Imagine that Siobhán is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Siobhán to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('李小龙', ('Today, you might imagine 李小龙, with their own quiet wisdom, strength and warmth.', 'Imagine that 李小龙 is wise, and understands how hard life can be.', 'Now imagine compassion flowing from 李小龙 to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('a kind nurse', ('Today, you might imagine a kind nurse, with their own quiet wisdom and strength.', 'Imagine that the nurse is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the nurse to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('my teacher Mrs Jones', ('Today, you might imagine your teacher Mrs Jones, with her own quiet wisdom, strength and warmth.', 'Imagine that Mrs Jones is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Mrs Jones to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('the sea at dawn', ('Today, you might imagine the sea at dawn, with its own quiet wisdom, strength and warmth.', 'Imagine that the sea is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the sea to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('an ancient oak', ('Today, you might imagine an ancient oak, with its own quiet wisdom, strength and warmth.', 'Imagine that the oak is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the oak to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('MY GRAN', ('Today, you might imagine your gran, with her own quiet wisdom, strength and warmth.', 'Imagine that your gran is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your gran to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my Nana Rose', ('Today, you might imagine your Nana Rose, with her own quiet wisdom, strength and warmth.', 'Imagine that your Nana Rose is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your Nana Rose to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('Grandad', ('Today, you might imagine Grandad, with his own quiet wisdom, strength and warmth.', 'Imagine that Grandad is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Grandad to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my old dog', ('Today, you might imagine your old dog, with its own quiet wisdom, strength and warmth.', 'Imagine that your old dog is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your old dog to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('a strong bear', ('Today, you might imagine a strong bear, with its own quiet wisdom and warmth.', 'Imagine that the bear is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the bear to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my best friend', ('Today, you might imagine your best friend, with their own quiet wisdom, strength and warmth.', 'Imagine that your best friend is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your best friend to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('my son', ('Today, you might imagine your son, with his own quiet wisdom, strength and warmth.', 'Imagine that your son is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your son to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my late husband', ('Today, you might imagine your late husband, with his own quiet wisdom, strength and warmth.', 'Imagine that your late husband is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your late husband to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('Allah', ('Today, you might turn your mind toward Allah, with his own quiet wisdom, strength and warmth.', 'Imagine that Allah is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Allah to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('God', ('Today, you might turn your mind toward God, with his own quiet wisdom, strength and warmth.', 'Imagine that God is wise, and understands how hard life can be.', 'Now imagine compassion flowing from God to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('the light of the moon', ('Today, you might imagine the light of the moon, with its own quiet wisdom, strength and warmth.', 'Imagine that the light of the moon is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the light of the moon to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my cat Tiddles', ('Today, you might imagine your cat Tiddles, with their own quiet wisdom, strength and warmth.', 'Imagine that Tiddles is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Tiddles to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('Rose', ('Today, you might imagine Rose, with their own quiet wisdom, strength and warmth.', 'Imagine that Rose is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Rose to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('a loving presence', ('Today, you might imagine a loving presence, with their own quiet wisdom and strength.', 'Imagine that the presence is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the presence to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
    ('my higher power', ('Today, you might turn your mind toward your higher power, with its own quiet wisdom, strength and warmth.', 'Imagine that your higher power is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your higher power to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('the Virgin Mary', ('Today, you might imagine the Virgin Mary, with her own quiet wisdom, strength and warmth.', 'Imagine that the Virgin Mary is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the Virgin Mary to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('Saint Francis', ('Today, you might imagine Saint Francis, with his own quiet wisdom, strength and warmth.', 'Imagine that Saint Francis is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Saint Francis to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my nonna', ('Today, you might imagine your nonna, with her own quiet wisdom, strength and warmth.', 'Imagine that your nonna is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your nonna to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('the horse I rode as a child', ('Today, you might imagine the horse you rode as a child, with its own quiet wisdom, strength and warmth.', 'Imagine that the horse is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the horse to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('a warm golden light', ('Today, you might imagine a warm golden light, with its own quiet wisdom and strength.', 'Imagine that the light is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the light to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('Wise old owl', ('Today, you might imagine a wise old owl, with its own quiet strength and warmth.', 'Imagine that the owl knows how hard life can be.', 'Now imagine compassion flowing from the owl to you.', 'It wants you to be free from suffering, and accepts you exactly as you are.')),
    ('The Buddha', ('Today, you might imagine the Buddha, with his own quiet wisdom, strength and warmth.', 'Imagine that the Buddha is wise, and understands how hard life can be.', 'Now imagine compassion flowing from the Buddha to you.', 'He wants you to be free from suffering, and accepts you exactly as you are.')),
    ('my grandmother', ('Today, you might imagine your grandmother, with her own quiet wisdom, strength and warmth.', 'Imagine that your grandmother is wise, and understands how hard life can be.', 'Now imagine compassion flowing from your grandmother to you.', 'She wants you to be free from suffering, and accepts you exactly as you are.')),
    ('our family dog Bess', ('Today, you might imagine your family dog Bess, with their own quiet wisdom, strength and warmth.', 'Imagine that Bess is wise, and understands how hard life can be.', 'Now imagine compassion flowing from Bess to you.', 'They want you to be free from suffering, and accept you exactly as you are.')),
]

PLACES = [
    ("my nan's kitchen", ("Today, you might picture your nan's kitchen.", "Imagine that you are there now, in your nan's kitchen.", "Imagine that your nan's kitchen is glad you are here.")),
    ('the hills', ('Today, you might picture the hills.', 'Imagine that you are there now, on the hills.', 'Imagine that the hills are glad you are here.')),
    ('at the beach at Whitby', ('Today, you might picture the beach at Whitby.', 'Imagine that you are there now, at the beach.', 'Imagine that the beach is glad you are here.')),
    ("Grandma's house", ("Today, you might picture Grandma's house.", "Imagine that you are there now, at Grandma's house.", "Imagine that Grandma's house is glad you are here.")),
    ('Whitby beach', ('Today, you might picture Whitby beach.', 'Imagine that you are there now, at Whitby beach.', 'Imagine that Whitby beach is glad you are here.')),
    ('the hills above our village', ('Today, you might picture the hills above your village.', 'Imagine that you are there now, on the hills.', 'Imagine that the hills are glad you are here.')),
    ('on the top of a hill', ('Today, you might picture the top of a hill.', 'Imagine that you are there now, on the top of a hill.', 'Imagine that the top of a hill is glad you are here.')),
    ('the top of a hill', ('Today, you might picture the top of a hill.', 'Imagine that you are there now, on the top of a hill.', 'Imagine that the top of a hill is glad you are here.')),
    ('a quiet library', ('Today, you might picture a quiet library.', 'Imagine that you are there now, in the library.', 'Imagine that the library is glad you are here.')),
    ('the woods', ('Today, you might picture the woods.', 'Imagine that you are there now, in the woods.', 'Imagine that the woods are glad you are here.')),
    ("my grandmother's kitchen garden", ("Today, you might picture your grandmother's kitchen garden.", "Imagine that you are there now, in your grandmother's kitchen garden.", "Imagine that your grandmother's kitchen garden is glad you are here.")),
    ('by the fire', ('Today, you might picture the fire.', 'Imagine that you are there now, by the fire.', 'Imagine that the fire is glad you are here.')),
    ('our caravan', ('Today, you might picture your caravan.', 'Imagine that you are there now, in your caravan.', 'Imagine that your caravan is glad you are here.')),
    ('the Dales', ('Today, you might picture the Dales.', 'Imagine that you are there now, in the Dales.', 'Imagine that the Dales are glad you are here.')),
    ('St Ives', ('Today, you might picture St Ives.', 'Imagine that you are there now, in St Ives.', 'Imagine that St Ives is glad you are here.')),
    ('Loch Lomond', ('Today, you might picture Loch Lomond.', 'Imagine that you are there now, by Loch Lomond.', 'Imagine that Loch Lomond is glad you are here.')),
    ('my bed', ('Today, you might picture your bed.', 'Imagine that you are there now, in your bed.', 'Imagine that your bed is glad you are here.')),
    ("the garden at my parents' house", ("Today, you might picture the garden at your parents' house.", 'Imagine that you are there now, in the garden.', 'Imagine that the garden is glad you are here.')),
    ("Granny's cottage", ("Today, you might picture Granny's cottage.", "Imagine that you are there now, at Granny's cottage.", "Imagine that Granny's cottage is glad you are here.")),
    ('the Lake District', ('Today, you might picture the Lake District.', 'Imagine that you are there now, in the Lake District.', 'Imagine that the Lake District is glad you are here.')),
    ('my favourite armchair', ('Today, you might picture your favourite armchair.', 'Imagine that you are there now, in your favourite armchair.', 'Imagine that your favourite armchair is glad you are here.')),
    ('a sunny meadow', ('Today, you might picture a sunny meadow.', 'Imagine that you are there now, in the meadow.', 'Imagine that the meadow is glad you are here.')),
    ('the Alps', ('Today, you might picture the Alps.', 'Imagine that you are there now, in the Alps.', 'Imagine that the Alps are glad you are here.')),
    ('the sand dunes at Formby', ('Today, you might picture the sand dunes at Formby.', 'Imagine that you are there now, on the dunes.', 'Imagine that the dunes are glad you are here.')),
    ('my old bedroom', ('Today, you might picture your old bedroom.', 'Imagine that you are there now, in your old bedroom.', 'Imagine that your old bedroom is glad you are here.')),
    ('under the old oak tree', ('Today, you might picture the old oak tree.', 'Imagine that you are there now, under the tree.', 'Imagine that the tree is glad you are here.')),
    ('the allotment', ('Today, you might picture the allotment.', 'Imagine that you are there now, at the allotment.', 'Imagine that the allotment is glad you are here.')),
    ('the church where I was married', ('Today, you might picture the church where you were married.', 'Imagine that you are there now, at the church.', 'Imagine that the church is glad you are here.')),
    ('a little boat', ('Today, you might picture a little boat.', 'Imagine that you are there now, on the boat.', 'Imagine that the boat is glad you are here.')),
    ("Nanny's porch", ("Today, you might picture Nanny's porch.", "Imagine that you are there now, on Nanny's porch.", "Imagine that Nanny's porch is glad you are here.")),
    ('Aotearoa', ('Today, you might picture Aotearoa.', 'Imagine that you are there now, in Aotearoa.', 'Imagine that Aotearoa is glad you are here.')),
    ('the Highlands', ('Today, you might picture the Highlands.', 'Imagine that you are there now, in the Highlands.', 'Imagine that the Highlands are glad you are here.')),
    ("in my nan's kitchen", ("Today, you might picture your nan's kitchen.", "Imagine that you are there now, in your nan's kitchen.", "Imagine that your nan's kitchen is glad you are here.")),
    ('our holiday cottage in Wales', ('Today, you might picture your holiday cottage in Wales.', 'Imagine that you are there now, at your holiday cottage.', 'Imagine that your holiday cottage is glad you are here.')),
    ('the seaside', ('Today, you might picture the seaside.', 'Imagine that you are there now, at the seaside.', 'Imagine that the seaside is glad you are here.')),
    ('Mount Snowdon', ('Today, you might picture Mount Snowdon.', 'Imagine that you are there now, on Mount Snowdon.', 'Imagine that Mount Snowdon is glad you are here.')),
    ('Central Park', ('Today, you might picture Central Park.', 'Imagine that you are there now, in Central Park.', 'Imagine that Central Park is glad you are here.')),
    ("My Nan's Kitchen", ("Today, you might picture your Nan's Kitchen.", "Imagine that you are there now, in your Nan's Kitchen.", "Imagine that your Nan's Kitchen is glad you are here.")),
]


DETAILS = [
    ('the smell of bread', 'And perhaps there is the smell of bread.'),
    ('my nan humming', 'Perhaps you hear your nan humming.'),
    ('Warm sun on my face', 'Perhaps you feel warm sun on your face.'),
    ('Gulls calling', 'Perhaps you hear gulls calling.'),
    ('Max barking', 'Perhaps you hear Max barking.'),
    ('the sound of my children laughing', 'Perhaps you hear the sound of your children laughing.'),
    ("the smell of Grandad's pipe", "And perhaps there is the smell of Grandad's pipe."),
    ("Rose's perfume", "And perhaps there is Rose's perfume."),
    ('our dog snoring by the fire', 'Perhaps you hear your dog snoring by the fire.'),
    ("the feel of my mum's hand", "Perhaps you notice the feel of your mum's hand."),
    ('waves I can hear from my room', 'Perhaps you notice waves you can hear from your room.'),
    ("My nan's voice.", "Perhaps you hear your nan's voice."),
]

PHRASES = [
    ("I am doing my best", "I am doing my best."),
    ("may I be gentle with myself", "May I be gentle with myself."),
    ("Am I enough?", "Am I enough?"),
    ("I'm allowed to rest,", "I'm allowed to rest."),
    ("You are safe now", "You are safe now."),
    ("Be kind... Really!", "Be kind... Really!"),
]

NAMES = ["Siobhán", "Aroha", "李小龙", "Mary-Jane", "O'Neil", "de Souza"]

PRONOUN_CHOICES = [
    ("my dog Max", "he", "He wants you to be free from suffering, and accepts you exactly as you are."),
    ("Aroha", "she", "She wants you to be free from suffering, and accepts you exactly as you are."),
    ("my late father", "they", "They want you to be free from suffering, and accept you exactly as you are."),
    ("tree", "she", "She wants you to be free from suffering, and accepts you exactly as you are."),
    ("person", "he", "He wants you to be free from suffering, and accepts you exactly as you are."),
]


def _sentences(exercise: str, length: str = "standard", **options) -> tuple[str, ...]:
    return written(exercise=exercise, length=length, **options).sentences


@pytest.mark.parametrize(("image", "lines"), IMAGES)
def test_own_image_is_spoken_from_the_listeners_side(image, lines):
    first, later, flowing, wants = lines
    spoken = _sentences("compassionate-other", image=image)
    assert first in spoken
    assert later in spoken
    assert flowing in spoken
    assert wants in spoken


@pytest.mark.parametrize(("place", "lines"), PLACES)
def test_own_place_is_spoken_from_the_listeners_side(place, lines):
    spoken = _sentences("safe-place", place=place)
    for line in lines:
        assert line in spoken


@pytest.mark.parametrize(("detail", "line"), DETAILS)
def test_own_detail_is_spoken_from_the_listeners_side(detail, line):
    assert line in _sentences("safe-place", details=(detail,))


@pytest.mark.parametrize("exercise", ["soothing-breath", "compassionate-self", "safe-place",
                                      "compassionate-other"])
@pytest.mark.parametrize(("phrase", "line"), PHRASES)
def test_phrase_stays_the_clients_own_words(exercise, phrase, line):
    for length in ("short", "standard", "long"):
        spoken = _sentences(exercise, length, phrases=(phrase,))
        text = " ".join(spoken)
        assert line in text
        before = text[:text.index(line)]
        assert "own kind words" in before.rsplit(".", 2)[-2]  # introduced as theirs to say


@pytest.mark.parametrize("name", NAMES)
def test_name_is_kept_as_typed(name):
    assert f"Welcome, {name}." in _sentences("safe-place", name=name)


@pytest.mark.parametrize(("image", "pronoun", "line"), PRONOUN_CHOICES)
def test_chosen_pronoun_wins(image, pronoun, line):
    assert line in _sentences("compassionate-other", image=image, pronoun=pronoun)


def test_the_table_is_big_enough():
    rows = len(IMAGES) + len(PLACES) + len(DETAILS) + len(PHRASES) + len(NAMES)
    assert rows >= 80


@pytest.mark.parametrize(("text", "spoken"), [
    ("my nan's kitchen", "your nan's kitchen"), ("I am doing my best", "you are doing your best"),
    ("the place we met", "the place you met"), ("a song I love", "a song you love"),
    ("mine and ours", "yours and yours"), ("I was happy there", "you were happy there"),
    ("I'm safe", "you're safe"), ("Myself", "yourself"),
])
def test_first_person_becomes_second(text, spoken):
    assert to_listener(text).lower() == spoken.lower()


@pytest.mark.parametrize("verb", ["wish", "look", "be", "have", "want", "see", "know",
                                  "understand", "care", "accept", "seem", "meet", "carry",
                                  "watch", "hold", "do"])
def test_verbs_agree_both_ways(verb):
    singular, plural = agree(verb, "he"), agree(verb, "they")
    assert agree(singular, "they") == plural and agree(plural, "it") == singular
    assert singular != plural


def test_phrase_head_and_short_form():
    phrase = noun_phrase("the hills above our village")
    assert (phrase.first, phrase.short, phrase.plural) == (
        "the hills above your village", "the hills", True)


def test_script_header_shows_the_pronoun(capsys):
    assert main(["script", "compassionate-other", "--image", "my late father"]) == 0
    assert "the image is 'he' (inferred; --pronoun to change)" in capsys.readouterr().out
    assert main(["script", "compassionate-other", "--image", "Aroha", "--pronoun", "she"]) == 0
    assert "the image is 'she' (chosen)" in capsys.readouterr().out
    assert main(["script", "safe-place"]) == 0
    assert "the image is" not in capsys.readouterr().out
    assert main(["script", "compassionate-other", "--image", "my late father", "--pronoun",
                 "he"]) == 0
    assert "the image is 'he' (chosen)" in capsys.readouterr().out


def test_pressure_word_in_a_phrase_warns_on_stderr_and_goes_ahead(capsys):
    assert main(["script", "soothing-breath", "--phrase", "I should rest"]) == 0
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "warning: --phrase" in err and "'should'" in err
    assert "I should rest." in out


@pytest.mark.parametrize(("args", "field"), [
    (["safe-place", "--image", "my gran"], "--image"),
    (["soothing-breath", "--detail", "gulls"], "--detail"),
    (["compassionate-self", "--place", "my room"], "--place"),
    (["safe-place", "--pronoun", "he"], "--pronoun"),
    (["safe-place", "--quality", "warmth"], "--quality"),
    (["compassionate-other", "--place", "beach"], "--place"),
    (["safe-place", "--image", "person"], "--image"),
    (["safe-place", "--picture", "presence"], "--picture"),
])
def test_unused_option_is_refused_in_one_line(capsys, args, field):
    assert main(["script", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cft-audio: error: {field}: is not used by") and err.count("\n") == 1


def test_known_verbs_are_inflects_own_answers():
    import inflect

    from cft_audio.script.wording import KNOWN_VERBS

    engine = inflect.engine()
    for verb, (singular, plural) in KNOWN_VERBS.items():
        expected = {"be": "is", "have": "has"}.get(verb) or engine.plural_noun(verb)
        assert singular == expected and engine.plural_verb(singular) == plural, verb


def test_every_verb_the_templates_use_is_known():
    import re

    from cft_audio.script.wording import KNOWN_VERBS

    verb = re.compile(r"verb\(.(\w+).\)")
    paths = [*scripts_dir().rglob("*.j2"), scripts_dir() / "vocabulary.yaml"]
    used = {found for path in paths for found in verb.findall(path.read_text())}
    assert used and used <= set(KNOWN_VERBS), used - set(KNOWN_VERBS)
