"""The editor's live count (static/portfolios/words.js) agrees with the server's rule."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from guildbook.portfolios.text import count_words
from tests.portfolios.test_text import CASES

SCRIPT = Path(__file__).resolve().parents[2] / "guildbook/portfolios/static/portfolios/words.js"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the script")
def test_script_counts_as_the_server_does():
    texts = [text for text, _ in CASES] + ["naïve café 東京 ١٢٣", "tab\tseparated\u00a0nbsp"]
    program = (
        f"const {{countWords}} = require({json.dumps(str(SCRIPT))});"
        f"console.log(JSON.stringify({json.dumps(texts)}.map(countWords)));"
    )
    done = subprocess.run(["node", "-e", program], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [count_words(t) for t in texts]
