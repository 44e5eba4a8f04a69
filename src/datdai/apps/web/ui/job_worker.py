"""The worker process of one long job started from the web app (``web/ui/job_runner.py``):

    python -m datdai.apps.web.ui.job_worker JOB_ID

with the store's URL in ``DATDAI_JOB_DB`` and the officer who started it in
``DATDAI_JOB_PRINCIPAL`` (set by the server's runner; not on the command line, where other users of
the machine could read a password in the URL). Runs the job, writes its progress and outcome to
its ``jobs`` row, and exits.
"""

from __future__ import annotations

import logging
import os
import sys

from datdai.apps.web.ui.job_runner import ENV_DB, ENV_PRINCIPAL, JobRunner, principal_from_env
from datdai.db.store import open_store


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s tác vụ %(levelname)s %(message)s")
    job_id = int(argv[0])
    store = open_store(os.environ[ENV_DB])
    runner = JobRunner(store, isolated=False)
    try:
        runner.run_here(job_id, principal_from_env(os.environ[ENV_PRINCIPAL]))
    finally:
        runner.stop()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
