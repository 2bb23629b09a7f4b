"""Every accounts page as anonymous, a learner, a trainer, a staff development officer and
an administrator (tests/walker.py), filled with another person's ids."""

from guildbook.accounts.services import api_token_create
from tests.factories import UserFactory
from tests.walker import LOGIN, NOT_FOUND, OK, POST_ONLY, walk

EVERYONE = {"anonymous": {LOGIN}, **{r: {OK} for r in ("learner", "trainer", "officer", "admin")}}
POSTS = {
    "anonymous": {LOGIN},
    **{r: {POST_ONLY} for r in ("learner", "trainer", "officer", "admin")},
}
EXPECT = [
    ("profile", EVERYONE),
    ("your_data", EVERYONE),
    ("your_data_download", EVERYONE),
    ("token_create", POSTS),
    ("token_revoke", POSTS),
    # A staff development officer may export a person's data; only an administrator erases.
    ("subject_access", {"anonymous": {LOGIN}, "learner": {NOT_FOUND}, "trainer": {NOT_FOUND},
                        "officer": {OK}, "admin": {OK}}),
    ("erase", {"anonymous": {LOGIN}, "learner": {NOT_FOUND}, "trainer": {NOT_FOUND},
               "officer": {NOT_FOUND}, "admin": {OK}}),
    ("directory", {"anonymous": {LOGIN}, "learner": {NOT_FOUND}, "trainer": {NOT_FOUND},
                   "officer": {OK}, "admin": {OK}}),
]  # fmt: skip


def test_every_accounts_page_answers_each_role_as_the_table_says(person, trainer, officer):
    someone = UserFactory()
    token, _secret = api_token_create(user=someone)

    def fill(name, param):
        return token.pk if name == "token_revoke" else someone.pk

    requests = walk(
        namespace="accounts",
        people={
            "anonymous": None,
            "learner": person,
            "trainer": trainer,
            "officer": officer,
            "admin": UserFactory(role="administrator"),
        },
        fill=fill,
        expect=EXPECT,
    )
    assert requests == 8 * 5
